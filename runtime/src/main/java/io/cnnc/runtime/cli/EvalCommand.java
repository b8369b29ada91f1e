package io.cnnc.runtime.cli;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.runtime.data.DataSets;
import io.cnnc.runtime.data.Dataset;
import io.cnnc.runtime.io.Safetensors;
import io.cnnc.runtime.train.Evaluation;
import io.cnnc.runtime.train.GraphTrainer;
import io.cnnc.runtime.weights.WeightBinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Accuracy and confusion matrix of a network with given weights on a data set's test split.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the .cnn file")
    Path file;

    @Option(names = "--weights", required = true, description = "weights (safetensors), e.g. runs/LeNet5/best.safetensors")
    Path weights;

    @Option(names = "--data", required = true, description = "mnist, fashion_mnist, cifar10, or a folder of class folders")
    String data;

    @Mixin
    DataRootOption dataRoot;

    @Mixin
    NetworkOption network;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Graph graph = network.load(file);
        var params = WeightBinder.bind(graph, Safetensors.read(weights), weights);
        Path root = dataRoot.root();
        Dataset test = DataSets.load(data, root, graph.inputs().getFirst().shape(), false);
        Evaluation e = Evaluation.of(new GraphTrainer(graph, params, 0, Set.of()), test, 256);
        spec.commandLine().getOut().printf(Locale.ROOT, "%s on %s (%d test images): accuracy %.2f%%, loss %.4f%n%n%s",
                graph.name(), data, test.size(), 100 * e.accuracy(), e.loss(), e.confusionTable());
        return 0;
    }
}
