package io.cnnc.runtime.cli;

import io.cnnc.compiler.CompiledFile;
import io.cnnc.compiler.ir.Graph;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse and check .cnn files: syntax, names, arguments, shapes, train sections. Exit 1 on any error.")
final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .cnn files to check")
    List<Path> files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int failed = 0;
        for (Path file : files) {
            try {
                CompiledFile compiled = Models.compile(file);
                for (Graph g : compiled.networks()) {
                    spec.commandLine().getOut().printf("%s: ok: network %s, %,d parameters, output %s%n", file, g.name(),
                            g.learnedParameterCount(), g.outputs().isEmpty() ? "-" : g.outputs().getFirst().shape());
                }
            } catch (Models.DiagnosticsError | UserError e) {
                failed++;
                spec.commandLine().getErr().print(e instanceof UserError ? "error: " + e.getMessage() + "\n" : e.getMessage());
            }
        }
        spec.commandLine().getErr().flush();
        return failed == 0 ? 0 : 1;
    }
}
