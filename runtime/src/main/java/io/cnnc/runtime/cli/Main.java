package io.cnnc.runtime.cli;

import io.cnnc.runtime.io.FormatException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cnnc} command line. */
@Command(name = "cnnc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Compiler and runtime for convolutional networks written in the .cnn language.",
        subcommands = {CheckCommand.class, InfoCommand.class, RunCommand.class, CompileCommand.class, TrainCommand.class, EvalCommand.class, VisualizeCommand.class, ImportCommand.class, ExportCommand.class, CompareCommand.class, DevicesCommand.class, CalibrateCommand.class, BenchCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code (0 ok, 1 error in the input, 2 bad usage). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> report(e, err));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int report(Exception e, PrintWriter err) {
        switch (e) {
            case Models.DiagnosticsError d -> err.print(d.getMessage());
            case UserError u -> err.println("error: " + u.getMessage());
            case FormatException f -> err.println("error: " + f.getMessage());
            case IOException io -> err.println("error: " + io.getMessage());
            default -> {
                err.println("internal error: " + e + " (please report it; set CNNC_DEBUG=1 for details)");
                if (System.getenv("CNNC_DEBUG") != null) e.printStackTrace(err);
            }
        }
        err.flush();
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cnnc " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
