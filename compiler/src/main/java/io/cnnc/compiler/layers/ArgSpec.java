package io.cnnc.compiler.layers;

import io.cnnc.compiler.lower.ConstValue;

/**
 * One argument of a layer: its name, type, default ({@code null}: required) and the smallest
 * value allowed (for integers, pairs and numbers).
 */
public record ArgSpec(String name, ArgType type, ConstValue defaultValue, double min) {

    public static ArgSpec required(String name, ArgType type, double min) {
        return new ArgSpec(name, type, null, min);
    }

    public static ArgSpec optional(String name, ArgType type, ConstValue defaultValue, double min) {
        return new ArgSpec(name, type, defaultValue, min);
    }

    public boolean isRequired() {
        return defaultValue == null;
    }
}
