package io.cnnc.kernels.gpu;

/** One kernel argument: a device buffer (by the plan's buffer number), an int or a float. */
public sealed interface Arg {

    /** Stands for "no tensor" (a conv without bias): back ends bind it to a small dummy buffer. */
    int NO_BUFFER = -1;

    record Buffer(int id) implements Arg {}

    record Int(int value) implements Arg {}

    record Float(float value) implements Arg {}

    static Arg buffer(int id) {
        return new Buffer(id);
    }

    static Arg of(int v) {
        return new Int(v);
    }

    static Arg of(float v) {
        return new Float(v);
    }

    static Arg flag(boolean v) {
        return new Int(v ? 1 : 0);
    }
}
