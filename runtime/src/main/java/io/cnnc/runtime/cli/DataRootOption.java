package io.cnnc.runtime.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the named data sets live: {@code --data-root}, by default the repository's .data (set by the launcher). */
final class DataRootOption {

    @Option(names = "--data-root", description = "where scripts/fetch-data.sh put the data sets (default: the repository's .data)")
    Path dataRoot;

    Path root() {
        return dataRoot != null ? dataRoot : Path.of(System.getProperty("cnnc.data", ".data"));
    }
}
