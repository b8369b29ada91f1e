package io.cnnc.runtime.cli;

/**
 * Where progress bars go. A bar redraws its line with carriage returns: on a terminal it goes to
 * stdout, which the launcher leaves alone (it filters stderr line by line, which would hold the
 * bar back until the work ends); redirected, it goes to stderr, keeping stdout a clean log.
 */
final class ProgressOutput {

    private ProgressOutput() {}

    static java.io.PrintStream stream() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal() ? System.out : System.err;
    }
}
