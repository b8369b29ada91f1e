package io.cnnc.runtime.data;

import io.cnnc.compiler.ir.Shape;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.FormatException;
import io.cnnc.runtime.io.ImageInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder with one sub-folder per class (sorted by name: class 0, 1, ...) of PNG/JPEG images,
 * as torchvision's ImageFolder. If it has {@code train/} and {@code test/} sub-folders, those
 * are the splits; otherwise the same images serve both.
 */
public final class ImageFolder {

    private ImageFolder() {}

    public static Dataset load(Path root, Shape input, boolean train) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new FormatException(root, "no such data set: expected mnist, fashion_mnist, cifar10 or a folder of class folders");
        }
        Path dir = Files.isDirectory(root.resolve(train ? "train" : "test")) ? root.resolve(train ? "train" : "test") : root;
        List<Path> classes;
        try (Stream<Path> s = Files.list(dir)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classes.isEmpty()) throw new FormatException(dir, "has no class sub-folders");
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<Path> files;
            try (Stream<Path> s = Files.list(classes.get(c))) {
                files = s.filter(p -> p.toString().toLowerCase().matches(".*\\.(png|jpe?g|bmp|gif)$")).sorted().toList();
            }
            for (Path f : files) {
                Tensor t = ImageInput.load(f, input.c(), input.h(), input.w());
                images.add(t.data());
                labels.add(c);
            }
        }
        if (images.isEmpty()) throw new FormatException(dir, "has no images");
        int size = Math.toIntExact(input.size());
        float[] x = new float[images.size() * size];
        for (int i = 0; i < images.size(); i++) System.arraycopy(images.get(i), 0, x, i * size, size);
        return new Dataset(root.getFileName().toString(), x, labels.stream().mapToInt(Integer::intValue).toArray(),
                input.c(), input.h(), input.w(), classes.size());
    }
}
