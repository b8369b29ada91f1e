package io.cnnc.runtime.data;

import io.cnnc.runtime.io.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CIFAR-10 binary format: records of one label byte and 3072 pixel bytes (red, green and
 * blue 32x32 planes); training batches {@code data_batch_1..5.bin}, test {@code test_batch.bin}.
 */
public final class Cifar10 {

    public static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10() {}

    public record Raw(byte[] pixels, int[] labels) {}

    public static Raw read(Path dir, boolean train) throws IOException {
        Path base = Files.isDirectory(dir.resolve("cifar-10-batches-bin")) ? dir.resolve("cifar-10-batches-bin") : dir;
        String[] names = train
                ? new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
                : new String[] {"test_batch.bin"};
        long total = 0;
        for (String n : names) {
            Path p = base.resolve(n);
            if (!Files.isRegularFile(p)) {
                throw new FormatException(p, "missing; put the CIFAR-10 binary version (cifar-10-binary.tar.gz, extracted) in " + dir);
            }
            long size = Files.size(p);
            if (size % RECORD != 0) throw new FormatException(p, "size " + size + " is not a multiple of the " + RECORD + "-byte record");
            total += size / RECORD;
        }
        byte[] pixels = new byte[Math.toIntExact(total * (RECORD - 1))];
        int[] labels = new int[(int) total];
        int at = 0;
        for (String n : names) {
            Path p = base.resolve(n);
            byte[] data = Files.readAllBytes(p);
            for (int r = 0; r < data.length / RECORD; r++, at++) {
                int label = Byte.toUnsignedInt(data[r * RECORD]);
                if (label > 9) throw new FormatException(p, "record " + r + " has label " + label + ", expected 0..9");
                labels[at] = label;
                System.arraycopy(data, r * RECORD + 1, pixels, at * (RECORD - 1), RECORD - 1);
            }
        }
        return new Raw(pixels, labels);
    }
}
