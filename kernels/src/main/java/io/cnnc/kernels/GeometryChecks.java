package io.cnnc.kernels;

/** The argument checks the geometry records share, so their messages read alike. */
final class GeometryChecks {

    private GeometryChecks() {}

    static void positive(String what, int value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + value);
    }

    static void notNegative(String what, int value) {
        if (value < 0) throw new IllegalArgumentException(what + " must not be negative, got " + value);
    }
}
