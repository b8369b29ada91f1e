package io.cnnc.kernels;

import java.util.List;

/**
 * The part of an ONNX graph writer that an op's or an activation's export needs; the runtime's
 * exporter implements it. Values are named by strings, as in ONNX.
 */
public interface OnnxGraph {

    /** A node attribute: an integer, a float, a list of integers or a string (the one that is not null). */
    record Attribute(String name, Long i, Float f, long[] ints, String s) {

        public Attribute(String name, float value) {
            this(name, null, value, null, null);
        }

        public static Attribute of(String name, long i) {
            return new Attribute(name, i, null, null, null);
        }

        public static Attribute of(String name, float f) {
            return new Attribute(name, null, f, null, null);
        }

        public static Attribute of(String name, long... ints) {
            return new Attribute(name, null, null, ints, null);
        }

        public static Attribute of(String name, String s) {
            return new Attribute(name, null, null, null, s);
        }
    }

    /** Adds a node with one output; returns the output's name. */
    String node(String op, List<String> inputs, String output, Attribute... attributes);

    /** A fresh name for an intermediate value. */
    String temp();

    /** The name of a float scalar initializer holding v. */
    String scalar(float v);
}
