package io.cnnc.compiler.ops;

/** An op cannot be applied to the shapes it was given; the message says why, in words. */
public final class ShapeException extends Exception {

    public ShapeException(String message) {
        super(message, null, false, false);
    }
}
