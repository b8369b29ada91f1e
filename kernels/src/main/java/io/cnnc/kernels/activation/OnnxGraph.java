package io.cnnc.kernels.activation;

import java.util.List;

/** The part of an ONNX graph writer an activation's export needs; OnnxExporter implements it. */
public interface OnnxGraph {

    /** A float attribute of a node. */
    record Attribute(String name, float value) {}

    /** Adds a node with one output; returns the output's name. */
    String node(String op, List<String> inputs, String output, Attribute... attributes);

    /** A fresh name for an intermediate value. */
    String temp();

    /** The name of a float scalar initializer holding v. */
    String scalar(float v);
}
