package io.cnnc.runtime.cli;

/** A problem the user can fix (bad file, bad flag); printed as its message, exit code 1, no stack trace. */
public final class UserError extends RuntimeException {

    public UserError(String message) {
        super(message, null, false, false);
    }
}
