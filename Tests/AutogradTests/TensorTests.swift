import Autograd
import Foundation
import TestSupport
import Testing

@Suite struct TensorTests {
    @Test func creation() {
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.full([3], 2.5).scalars == [2.5, 2.5, 2.5])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(5).shape == [5])
        #expect(Tensor.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3] && m[1, 2] == 6)
        #expect(Tensor(scalar: 4).shape == [] && Tensor(scalar: 4).item == 4)
        #expect(!m.requiresGrad && m.isLeaf)
    }

    @Test func seededRandomTensorsRepeatAndLookRandom() {
        var g1 = SeededGenerator(seed: 42)
        var g2 = SeededGenerator(seed: 42)
        let a = Tensor.normal([10_000], mean: 1, std: 2, using: &g1)
        #expect(a.scalars == Tensor.normal([10_000], mean: 1, std: 2, using: &g2).scalars)
        let mean = a.mean().item
        let std = a.variance().item.squareRoot()
        #expect(Swift.abs(mean - 1) < 0.1 && Swift.abs(std - 2) < 0.1)
        let u = Tensor.uniform([10_000], low: -1, high: 3, using: &g1)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 } && Swift.abs(u.mean().item - 1) < 0.05)
        var g3 = SeededGenerator(seed: 43)
        #expect(Tensor.normal([4], using: &g3).scalars != Tensor.normal([4], using: &g1).scalars)
    }

    @Test func descriptionShowsShapeAndValues() {
        let m = Tensor([[1, 2.5], [-3, 4]])
        m.name = "m"
        #expect(m.description == "tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]], name: m, shape: [2,2])")
        #expect(Tensor([1, 2]).description == "tensor([1., 2.], shape: [2])")
        let w = Tensor([0.5])
        w.requiresGrad = true
        #expect((w * 2).description.hasSuffix("shape: [1], from: mul_scalar)"))
    }

    @Test func bigTensorsAreAbbreviatedLikeNumPy() {
        let big = Tensor.arange(0, 2000).reshaped(to: [40, 50])
        let text = big.description
        #expect(text.contains("..."))
        #expect(text.contains("1999.") && text.contains("[   0.,    1.,    2., ..., "))
        #expect(text.split(separator: "\n").count == 7, "3 rows, ..., 3 rows")
    }

    @Test func reshapeSharesMemoryAndPermuteCopies() {
        let x = Tensor.arange(0, 6).reshaped(to: [2, 3])
        #expect(x.transposed().scalars == [0, 3, 1, 4, 2, 5])
        #expect(x.permuted([1, 0]).shape == [3, 2])
        let flat = x.flattened()
        x[0, 1] = 9
        #expect(flat.scalars[1] == 9)
    }

    @Test func blasIsLoadedWithAVX512KernelsWhenTheCPUHasThem() throws {
        let info = Tapegrad.blasInfo
        #expect(info.library.contains("openblas"))
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let hasAVX512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.contains($0) }
        if hasAVX512 && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            #expect(info.coreName.lowercased() == "skylakex", "\(info)")
            #expect(info.coreTypeSource.contains("chosen by Tapegrad"))
        }
        let product = matmul(Tensor([[1, 2], [3, 4]]), Tensor([[5, 6], [7, 8]]))
        #expect(product.scalars == [19, 22, 43, 50])
    }

    @Test func aMissingOpenBLASStopsWithInstallInstructions() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            setenv("TAPEGRAD_OPENBLAS", "/nonexistent/libopenblas.so.0", 1)
            _ = matmul(Tensor.ones([2, 2]), Tensor.ones([2, 2]))
        }
        let message = standardError(of: result)
        #expect(message.contains("could not load it (tried /nonexistent/libopenblas.so.0"))
        #expect(message.contains("apt-get install libopenblas-dev"))
    }
}
