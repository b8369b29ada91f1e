package io.cnnc.compiler.ir;

/** A tensor flowing between nodes. Produced by exactly one node, or a graph input. */
public final class Value {

    private final int id;
    private final Shape shape;
    private final Node producer;
    private final String label;

    Value(int id, Shape shape, Node producer, String label) {
        this.id = id;
        this.shape = shape;
        this.producer = producer;
        this.label = label;
    }

    private static final Value POISONED = new Value(-1, null, null, "<error>");

    /**
     * Stands for a value whose computation already failed and was reported, so that later
     * uses stay silent instead of repeating the error.
     */
    public static Value poisoned() {
        return POISONED;
    }

    public boolean isPoisoned() {
        return this == POISONED;
    }

    public int id() {
        return id;
    }

    public Shape shape() {
        return shape;
    }

    /** The node computing this value, or null for a graph input. */
    public Node producer() {
        return producer;
    }

    /** The input's name for inputs, the producing node's name otherwise. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return "%" + id + shape;
    }
}
