import Autograd
import Datasets
import NN
import Training

/// A layer's filters as a grid of small pictures, each stretched over its own range of weights: first-layer
/// filters of an ImageNet model look like edges and colour blobs.
///
/// - Parameters:
///   - weight: a convolution's weight [filters, channels, kH, kW] with 3 channels (shown in colour) or 1
///     (in gray): a first layer, which reads the image itself.
///   - columns: filters per row.
///   - scale: screen pixels per weight.
public func filterGrid(_ weight: Tensor, columns: Int = 8, scale: Int = 8) -> RGBImage {
    check(
        weight.rank == 4, "filterGrid: expects a convolution's weight [filters, channels, kH, kW], got \(weight.shape)")
    let (filters, channels, height, width) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    check(
        channels == 3 || channels == 1,
        "filterGrid: filters over \(channels) channels are no pictures; show a first layer (3 or 1 channels), or feature maps"
    )
    let tiles = (0..<filters).map { k in
        let filter = weight.selecting([k], alongAxis: 0).reshaped(to: [channels, height, width])
        return RGBImage(stretching: filter).scaled(by: scale)
    }
    return RGBImage(grid: tiles, columns: columns, spacing: 1)
}

/// The channels of a feature map as a grid of pictures, each channel stretched over its own range in `colors`;
/// a channel with one value everywhere (after a ReLU, one that never fired) is the map's darkest colour.
///
/// - Parameters:
///   - maps: [channels, h, w] or [1, channels, h, w] (one image's output of a layer, see `forward(keeping:)`).
///   - limit: how many channels to show.
///   - strongestFirst: show the channels with the largest sums first; by default the first ones in order. Deep
///     in a network most channels are silent for any one image, so this shows the ones that fired.
///   - columns: maps per row.
///   - scale: screen pixels per value.
///   - colors: the colour map.
public func featureMapGrid(
    _ maps: Tensor, limit: Int = 64, strongestFirst: Bool = false, columns: Int = 8, scale: Int = 1,
    colors: ColorMap = .viridis
) -> RGBImage {
    check(
        maps.rank == 3 || (maps.rank == 4 && maps.shape[0] == 1),
        "featureMapGrid: expects one image's maps [channels, h, w], got \(maps.shape)")
    let maps = maps.rank == 4 ? maps.squeezed(axis: 0) : maps
    var channels = Array(0..<maps.shape[0])
    if strongestFirst {
        let sums = maps.sum(alongAxes: [1, 2]).scalars
        channels.sort { sums[$0] != sums[$1] ? sums[$0] > sums[$1] : $0 < $1 }
    }
    let tiles = channels.prefix(limit).map { k in
        let map = maps.selecting([k], alongAxis: 0).squeezed(axis: 0)
        let values = map.scalars
        let (low, high) = (values.min()!, values.max()!)
        return colors.image(map, range: low...(high > low ? high : low + 1)).scaled(by: scale)
    }
    return RGBImage(grid: tiles, columns: columns, spacing: 1)
}

extension RGBImage {
    /// `values` [3, H, W] (colour) or [1, H, W] (gray) stretched so the smallest value is black and the largest
    /// white: a preprocessed input, a filter, anything whose range is not [0, 1].
    public init(stretching values: Tensor) {
        check(
            values.rank == 3 && (values.shape[0] == 3 || values.shape[0] == 1),
            "RGBImage(stretching:): expects [3, H, W] or [1, H, W], got \(values.shape)")
        let unit = stretchedToUnitRange(values)
        self.init(values.shape[0] == 3 ? unit : Tensor.concat([unit, unit, unit], alongAxis: 0))
    }

    /// Each pixel repeated `factor` x `factor` times: small pictures made big without blurring.
    public func scaled(by factor: Int) -> RGBImage {
        check(factor >= 1, "scaled(by:): factor must be at least 1, got \(factor)")
        guard factor > 1 else { return self }
        var scaled: [UInt8] = []
        scaled.reserveCapacity(pixels.count * factor * factor)
        for y in 0..<height * factor {
            let row = (y / factor) * width
            for x in 0..<width * factor {
                let p = (row + x / factor) * 3
                scaled += pixels[p..<p + 3]
            }
        }
        return RGBImage(width: width * factor, height: height * factor, pixels: scaled)
    }

    /// The image resized to `width` x `height` (antialiased bilinear, as `ImageTransform.resize`).
    public func resized(width: Int, height: Int) -> RGBImage {
        RGBImage(ImageTransform.resize(height: height, width: width).apply(tensor))
    }

    /// `tiles`, all the same size, in rows of `columns`, `spacing` white pixels apart.
    public init(grid tiles: [RGBImage], columns: Int, spacing: Int = 1) {
        check(!tiles.isEmpty, "RGBImage(grid:): no tiles")
        check(columns >= 1, "RGBImage(grid:): columns must be at least 1, got \(columns)")
        let (w, h) = (tiles[0].width, tiles[0].height)
        check(
            tiles.allSatisfy { $0.width == w && $0.height == h },
            "RGBImage(grid:): tiles differ in size; the first is \(w)x\(h)")
        let columns = min(columns, tiles.count)
        let rows = (tiles.count + columns - 1) / columns
        let (width, height) = (columns * w + (columns - 1) * spacing, rows * h + (rows - 1) * spacing)
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for (k, tile) in tiles.enumerated() {
            let (left, top) = ((k % columns) * (w + spacing), (k / columns) * (h + spacing))
            for y in 0..<h {
                let to = ((top + y) * width + left) * 3
                pixels.replaceSubrange(to..<to + w * 3, with: tile.pixels[y * w * 3..<(y + 1) * w * 3])
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }
}
