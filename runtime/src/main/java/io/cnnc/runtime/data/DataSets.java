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
                yield fitted(name, raw.pixels(), raw.labels(), 3, 32, 32, input);
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
        return fitted(name, images.pixels(), y, 1, images.rows(), images.cols(), input);
    }

    /** 8-bit images fitted to the input, kept as bytes where the fitting only moves pixels. */
    private static Dataset fitted(String name, byte[] pixels, int[] labels, int srcC, int srcH, int srcW, Shape input) {
        byte[] kept = InputFitting.fitPixels(pixels, labels.length, srcC, srcH, srcW, input.c(), input.h(), input.w());
        if (kept != null) return Dataset.ofPixels(name, kept, labels, input.c(), input.h(), input.w(), 10);
        return new Dataset(name, InputFitting.fit(pixels, labels.length, srcC, srcH, srcW, input.c(), input.h(), input.w()), labels,
                input.c(), input.h(), input.w(), 10);
    }
}
