package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The FILE's network a command works on: {@code --network NAME}, by default the first. */
final class NetworkOption {

    @Option(names = "--network", description = "which network of the file (default: the first)")
    String network;

    Graph load(Path file) {
        return Models.pick(Models.compile(file), network);
    }
}
