import Datasets
import Distributed
import NN
import Training

// The example of Distributed's documentation (Sources/Distributed/Distributed.docc/Distributed.md), line for
// line, so that it compiles with the library as it is: the dependent package of scripts/dependent_package.sh,
// which compiles the other articles' examples, does not use Distributed (a package that does needs OpenMPI).
func distributedOverview() throws {
    let group = try ProcessGroup.start()
    group.run {
        let parallel = DataParallel(group: group)
        let model = Sequential {
            Conv2d(1, 16, kernelSize: 3, padding: 1)
            SyncBatchNorm(16, group: group)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(16 * 14 * 14, 10)
        }
        let (train, validation) = (try FashionMNIST.load(.train), try FashionMNIST.load(.test))
        let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 1, shard: parallel.shard)
        let trainer = Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.05))
        trainer.parallelism = parallel
        try trainer.fit(loader, validation: validation, epochs: 2)
    }
}
