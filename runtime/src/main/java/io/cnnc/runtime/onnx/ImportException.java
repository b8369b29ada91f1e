package io.cnnc.runtime.onnx;

/** The model cannot be imported; the message says what, naming nodes. */
public final class ImportException extends Exception {

    public ImportException(String message) {
        super(message, null, false, false);
    }
}
