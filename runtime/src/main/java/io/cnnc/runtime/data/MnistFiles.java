package io.cnnc.runtime.data;

import io.cnnc.runtime.io.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The four IDX files of MNIST-style data sets under their standard names (optionally .gz). */
public record MnistFiles(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

    public static MnistFiles in(Path dir) throws FormatException {
        return new MnistFiles(find(dir, "train-images-idx3-ubyte"), find(dir, "train-labels-idx1-ubyte"),
                find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte"));
    }

    private static Path find(Path dir, String name) throws FormatException {
        for (Path p : new Path[] {dir.resolve(name), dir.resolve(name + ".gz")}) if (Files.isRegularFile(p)) return p;
        throw new FormatException(dir.resolve(name), "missing; run scripts/fetch-data.sh to download the data sets");
    }
}
