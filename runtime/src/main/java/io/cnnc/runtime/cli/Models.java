package io.cnnc.runtime.cli;

import io.cnnc.compiler.CompiledFile;
import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.CompileException;
import io.cnnc.dsl.SourceFile;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and compiles a .cnn file for a command, turning every failure into a user-facing error. */
final class Models {

    private Models() {}

    static CompiledFile compile(Path file) {
        SourceFile source = read(file);
        try {
            return Compiler.compile(source);
        } catch (CompileException e) {
            throw new DiagnosticsError(e.diagnostics().render());
        }
    }

    static SourceFile read(Path file) {
        if (Files.isDirectory(file)) throw new UserError(file + ": is a directory, not a .cnn file");
        try {
            return SourceFile.read(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (SourceFile.TooLargeException e) {
            throw new UserError(e.getMessage());
        } catch (MalformedInputException e) {
            throw new UserError(file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    /** The named network, or the file's only/first one. */
    static Graph pick(CompiledFile compiled, String network) {
        if (network == null) return compiled.networks().getFirst();
        return compiled.network(network).orElseThrow(() -> new UserError(compiled.source().name()
                + ": no network named '" + network + "' (found: " + Compiler.names(compiled.networks()) + ")"));
    }

    /** Diagnostics already rendered as {@code file:line:col: ...}; printed as they are. */
    static final class DiagnosticsError extends RuntimeException {
        DiagnosticsError(String rendered) {
            super(rendered, null, false, false);
        }
    }
}
