import Autograd
import Datasets
import Foundation
import NN
import Testing

@Suite struct ImageTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images")

    struct Expected: Decodable {
        let width: Int
        let height: Int
        let pixels: [UInt8]
    }

    static let expected: [String: Expected?] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("images.json"))
        return try! JSONDecoder().decode([String: Expected?].self, from: data)
    }()

    @Test(arguments: expected.keys.sorted())
    func decodesLikePillowOrRefusesClearly(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        guard let expected = Self.expected[name]! else {
            #expect(throws: DataError.self) { try RGBImage(contentsOf: url) }
            return
        }
        let image = try RGBImage(contentsOf: url)
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image.pixels == expected.pixels, "\(name): pixels differ from Pillow's")
    }

    @Test func cmykJPEGsAreRefusedWithAReason() {
        #expect {
            try RGBImage(contentsOf: Self.folder.appendingPathComponent("cmyk.jpg"))
        } throws: { "\($0)".contains("CMYK JPEGs are not supported") }
    }

    @Test func corruptedFilesThrowAndNeverCrash() throws {
        var generator = SeededGenerator(seed: 21)
        for name in ["rgb.png", "palette.png", "interlaced.png", "rgb.jpg", "gray.jpg"] {
            let good = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(name)))
            for trial in 0..<150 {
                var bytes = good
                if trial % 3 == 0 {
                    bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
                } else {
                    for _ in 0..<(1 + trial % 5) { bytes[Int(generator.next() % UInt64(bytes.count))] ^= 0xFF }
                }
                // Either outcome is fine (JPEG tolerates some damage); crashing or hanging is not.
                if let image = try? RGBImage(decoding: Data(bytes), path: name) {
                    #expect(image.pixels.count == image.width * image.height * 3)
                }
            }
        }
    }

    @Test func imageFolderFindsClassesAndSkipsUnreadableFiles() throws {
        let data = try ImageFolder(
            root: Self.folder.appendingPathComponent("folder"),
            transform: .compose([
                .resize(height: 4, width: 4), .normalize(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]),
            ]),
            skipUnreadable: true)
        #expect(data.classNames == ["cats", "dogs"])
        #expect(data.count == 6 && data.skipped.map { $0.url.lastPathComponent } == ["broken.jpg", "notes.txt"])
        let (inputs, labels) = DataLoader(data, batchSize: 6).map { $0 }.first!
        #expect(inputs.shape == [6, 3, 4, 4] && labels == [0, 0, 0, 1, 1, 1])
        // A solid red cat: (200/255 - 0.5) / 0.5 in the red channel everywhere.
        #expect(Swift.abs(inputs[0, 0, 2, 2] - (200.0 / 255 - 0.5) / 0.5) < 1e-5)
    }

    @Test func transformsHaveTheShapesAndValuesTheyPromise() {
        let image = Tensor.arange(0, 48).reshaped(to: [3, 4, 4]) / 48
        #expect(ImageTransform.centerCrop(height: 2, width: 2).apply(image).shape == [3, 2, 2])
        #expect(ImageTransform.centerCrop(height: 2, width: 2).apply(image)[0, 0, 0] == image[0, 1, 1])
        #expect(ImageTransform.resize(shorterSide: 2).apply(Tensor.zeros([3, 4, 8])).shape == [3, 2, 4])
        #expect(ImageTransform.randomResizedCrop(size: 3).apply(image).shape == [3, 3, 3])
        #expect(ImageTransform.randomCrop(height: 4, width: 4, padding: 1).apply(image).shape == [3, 4, 4])
        #expect(ImageTransform.grayToRGB.apply(Tensor.ones([1, 2, 2])).shape == [3, 2, 2])
        let flipped = ImageTransform.randomHorizontalFlip(probability: 1).apply(image)
        #expect(flipped[1, 2, 0] == image[1, 2, 3])
        // Halving a constant image keeps it constant; halving averages 2x2 blocks of a ramp.
        let constant: Tensor = .full([1, 4, 4], 0.25)
        let halved = ImageTransform.resize(height: 2, width: 2).apply(constant)
        #expect(halved.scalars.allSatisfy { Swift.abs($0 - 0.25) < 1e-6 })
        let row: Tensor = Tensor(shape: [1, 1, 4], values: [0, 1, 2, 3])
        let ramp = ImageTransform.resize(height: 1, width: 2).apply(row)
        // PIL's antialiased bilinear: output 0 is centred at input 1.0 and weighs inputs 0, 1, 2 by 3/7, 3/7, 1/7.
        #expect(ramp.scalars.map { ($0 * 1000).rounded() / 1000 } == [0.714, 2.286])
    }
}
