package io.cnnc.compiler;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.train.TrainConfig;
import io.cnnc.dsl.SourceFile;
import java.util.List;
import java.util.Optional;

/** Every network of a file as IR, and its checked train sections. */
public record CompiledFile(SourceFile source, List<Graph> networks, List<TrainConfig> trains) {

    public Optional<Graph> network(String name) {
        return networks.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    public Optional<TrainConfig> train(String network) {
        return trains.stream().filter(t -> t.network().equals(network)).findFirst();
    }
}
