package io.cnnc.compiler.lower;

import io.cnnc.compiler.ir.Value;
import java.util.HashMap;
import java.util.Map;

/**
 * The state of one body being lowered: block parameters, bound values, naming scope and the
 * current value. Repeat iterations get a child frame that can read their parent's values.
 */
final class Frame {

    final Frame parent;
    final Map<String, ConstValue> env;
    final NameScope names;
    final boolean inBlock;
    final Map<String, Value> values = new HashMap<>();
    Value current;
    Value explicitOutput;

    Frame(Frame parent, Map<String, ConstValue> env, NameScope names, boolean inBlock, Value current) {
        this.parent = parent;
        this.env = env;
        this.names = names;
        this.inBlock = inBlock;
        this.current = current;
    }

    Value lookup(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            Value v = f.values.get(name);
            if (v != null) return v;
        }
        return null;
    }
}
