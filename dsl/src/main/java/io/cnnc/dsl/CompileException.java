package io.cnnc.dsl;

/** Thrown once a stage has reported errors it cannot continue past; carries all of them. */
public final class CompileException extends Exception {

    private final transient Diagnostics diagnostics;

    public CompileException(Diagnostics diagnostics) {
        super(diagnostics.render(), null, false, false);
        this.diagnostics = diagnostics;
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }
}
