package io.cnnc.compiler.train;

import io.cnnc.compiler.layers.BoundArgs;
import java.util.List;

/**
 * A checked {@code train} section. Each {@link Choice} is a name with its bound arguments,
 * defaults filled in ({@code sgd(lr=0.05, momentum=0.9, ...)}). Fields not written hold the
 * defaults listed in docs/language.md.
 */
public record TrainConfig(String network, Choice data, Choice loss, Choice optimizer, Choice schedule,
                          int batch, int epochs, List<Choice> augment, long seed) {

    public record Choice(String name, BoundArgs args) {}
}
