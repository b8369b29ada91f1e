package io.cnnc.runtime.data;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.io.FormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a data set named in a train section or on the command line: {@code mnist} and
 * {@code fashion_mnist} (IDX files that scripts/fetch-data.sh puts under the data root),
 * {@code cifar10} (the binary version, which users provide), or a folder with one
 * sub-folder of images per class.
 */
public final class DataSets {

    private DataSets() {}

    public static Dataset load(String name, Path dataRoot, Shape input, boolean train) throws IOException {
        return switch (name) {
            case "mnist", "fashion_mnist" -> idx(name, dataRoot.resolve(name), input, train);
            case "cifar10" -> {
                Cifar10.Raw raw = Cifar10.read(dataRoot.resolve("cifar10"), train);
                yield new Dataset(name, InputFitting.fit(raw.pixels(), raw.labels().length, 3, 32, 32, input.c(), input.h(), input.w()),
                        raw.labels(), input.c(), input.h(), input.w(), 10);
            }
            default -> ImageFolder.load(Path.of(name), input, train);
        };
    }

    private static Dataset idx(String name, Path dir, Shape input, boolean train) throws IOException {
        MnistFiles files = MnistFiles.in(dir);
        Idx.Images images = Idx.readImages(train ? files.trainImages() : files.testImages());
        byte[] labels = Idx.readLabels(train ? files.trainLabels() : files.testLabels());
        if (labels.length != images.count()) {
            throw new FormatException(dir, images.count() + " images but " + labels.length + " labels");
        }
        int[] y = new int[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = Byte.toUnsignedInt(labels[i]);
        float[] x = InputFitting.fit(images.pixels(), images.count(), 1, images.rows(), images.cols(), input.c(), input.h(), input.w());
        return new Dataset(name, x, y, input.c(), input.h(), input.w(), 10);
    }
}
