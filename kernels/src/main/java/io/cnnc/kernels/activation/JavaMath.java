package io.cnnc.kernels.activation;

/**
 * How a Java loop body (the TornadoVM kernels and their plain-Java fallback) spells the math an
 * activation needs; the Tornado source writer implements it for TornadoMath and for java.lang.Math.
 */
public interface JavaMath {

    String max(String a, String b);

    String min(String a, String b);

    /** A float-valued call of a one-argument function such as exp, log or tanh. */
    String call(String function, String arg);

    /** erf, which the generated source defines itself (TornadoVM's math library has none). */
    String erf(String arg);
}
