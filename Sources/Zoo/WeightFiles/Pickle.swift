import Autograd
import Foundation
import NN

/// What a restricted unpickler builds: the few kinds of value a PyTorch file is made of.
///
/// Tuples, lists and dicts are not values here but indices into the unpickler's `objects`: a pickle can make a
/// list that holds itself, or nest a million tuples, and values that held each other would leak the one and
/// overflow the stack freeing the other. Indices do neither, and a memo entry still sees a list filled later.
package enum PickleValue {
    case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8])
    case tuple(Int), list(Int), dict(Int)
    /// A global the unpickler knows (module, name); calling it is allowed only for the known ones.
    case global(String, String)
    case storage(StorageReference)
    case tensor(TensorReference)
    case mark
}

/// The containers a pickle built, addressed by the indices in `PickleValue`.
package struct PickleObjects {
    /// Tuples' and lists' items.
    var sequences: [[PickleValue]] = []
    /// Dicts' items, in insertion order (an OrderedDict's order is the state dict's order).
    var dicts: [[(key: PickleValue, value: PickleValue)]] = []

    /// The items of a dict value, or nil for anything else.
    func items(of value: PickleValue) -> [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let index) = value { return dicts[index] }
        return nil
    }

    /// The items of a tuple or list value, or nil for anything else.
    func elements(of value: PickleValue) -> [PickleValue]? {
        switch value {
        case .tuple(let index), .list(let index): return sequences[index]
        default: return nil
        }
    }
}

/// Where a tensor's values live: a storage of `count` elements of `dtype` (safetensors names), found by `key`.
package struct StorageReference {
    let key: String
    let dtype: String
    let count: Int
    /// Files from before PyTorch 0.4 can describe a storage as a window into another: `viewCount` elements
    /// starting `viewOffset` elements into the storage `key`.
    var viewOffset = 0
    var viewCount: Int?
}

/// A tensor as torch pickles it: `_rebuild_tensor_v2(storage, offset, size, stride, ...)`. Element (i, j, ...) is
/// storage[offset + i * stride[0] + j * stride[1] + ...]. Nothing here is validated yet: `StoredTensor` does that,
/// naming the key.
package struct TensorReference {
    let storage: StorageReference
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A pickle reader that executes nothing. It knows the opcodes of protocols 2 to 4 that PyTorch files use and
/// the globals they name (OrderedDict, torch's tensor rebuilders and storage types) and refuses any other global
/// with an error, before anything is called: torch.load(weights_only=True)'s guarantee.
package struct RestrictedUnpickler {
    static let storageTypes: [String: String] = [
        "FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16", "DoubleStorage": "F64",
        "LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8", "ByteStorage": "U8",
        "BoolStorage": "BOOL",
    ]
    static let rebuilders: Set<String> = ["_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter"]

    /// The file's bytes (memory-mapped by the caller, who keeps them alive while the unpickler reads).
    let bytes: UnsafeRawBufferPointer
    let path: String
    package var position: Int
    /// Every tuple, list and dict built so far, over all the pickles read.
    package private(set) var objects = PickleObjects()
    /// Every storage a persistent id named, by key: the legacy stream needs their element sizes to find the data.
    private(set) var storages: [String: StorageReference] = [:]

    package init(bytes: UnsafeRawBufferPointer, path: String, position: Int = 0) {
        (self.bytes, self.path, self.position) = (bytes, path, position)
    }

    func failure(_ reason: String) -> DataError {
        .malformed(path: path, reason: "pickle at byte \(position): \(reason)")
    }

    mutating func take(_ n: Int) throws -> Slice<UnsafeRawBufferPointer> {
        guard n >= 0, n <= bytes.count - position else { throw failure("the file ends in the middle of a value") }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func littleEndian(_ n: Int) throws -> Int {
        try take(n).reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw failure("unterminated GLOBAL") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func sequence(_ items: [PickleValue], list: Bool) -> PickleValue {
        objects.sequences.append(items)
        return list ? .list(objects.sequences.count - 1) : .tuple(objects.sequences.count - 1)
    }

    /// Reads one pickle, up to its STOP, and returns the value it describes.
    package mutating func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        var memo: [Int: PickleValue] = [:]
        func pop() throws -> PickleValue {
            guard let top = stack.popLast() else { throw failure("stack underflow") }
            return top
        }
        func popMark() throws -> [PickleValue] {
            guard let mark = stack.lastIndex(where: { if case .mark = $0 { return true } else { return false } }) else {
                throw failure("no MARK on the stack")
            }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[(mark + 1)...])
        }
        while true {
            let opcode = try take(1).first!
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x2E: return try pop()  // STOP
            case 0x28: stack.append(.mark)
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try littleEndian(4)))))  // BININT
            case 0x4B: stack.append(.int(try littleEndian(1)))  // BININT1
            case 0x4D: stack.append(.int(try littleEndian(2)))  // BININT2
            case 0x8A:  // LONG1: n bytes, little-endian two's complement
                let n = try littleEndian(1)
                let raw = try take(n)
                // Wider than 64 bits only in the legacy stream's magic number, checked from the file's first bytes.
                guard n <= 8 else {
                    stack.append(.bytes(Array(raw)))
                    continue
                }
                var value = raw.reversed().reduce(0) { $0 << 8 | Int($1) }
                if n > 0 && n < 8 && raw.last! & 0x80 != 0 { value -= 1 << (8 * n) }
                stack.append(.int(value))
            case 0x47:  // BINFLOAT, big-endian
                let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stack.append(.float(Double(bitPattern: raw)))
            case 0x58, 0x8C, 0x54, 0x55:  // BINUNICODE, SHORT_BINUNICODE, BINSTRING, SHORT_BINSTRING
                let length = try littleEndian(opcode == 0x58 || opcode == 0x54 ? 4 : 1)
                stack.append(.string(String(decoding: try take(length), as: UTF8.self)))
            case 0x42, 0x43:  // BINBYTES, SHORT_BINBYTES
                stack.append(.bytes(Array(try take(try littleEndian(opcode == 0x42 ? 4 : 1)))))
            case 0x29: stack.append(sequence([], list: false))  // EMPTY_TUPLE
            case 0x74: stack.append(sequence(try popMark(), list: false))  // TUPLE
            case 0x85: stack.append(sequence([try pop()], list: false))  // TUPLE1
            case 0x86:  // TUPLE2
                let b = try pop()
                stack.append(sequence([try pop(), b], list: false))
            case 0x87:  // TUPLE3
                let c = try pop()
                let b = try pop()
                stack.append(sequence([try pop(), b, c], list: false))
            case 0x5D: stack.append(sequence([], list: true))  // EMPTY_LIST
            case 0x61, 0x65:  // APPEND, APPENDS
                let items = opcode == 0x61 ? [try pop()] : try popMark()
                guard case .list(let list) = stack.last else { throw failure("APPEND to something that is not a list") }
                objects.sequences[list] += items
            case 0x7D, 0x64, 0x73, 0x75:  // EMPTY_DICT, DICT, SETITEM, SETITEMS
                let items: [PickleValue]
                switch opcode {
                case 0x7D: items = []
                case 0x73:
                    let value = try pop()
                    items = [try pop(), value]
                default: items = try popMark()
                }
                guard items.count % 2 == 0 else { throw failure("odd number of dict items") }
                if opcode == 0x7D || opcode == 0x64 {
                    objects.dicts.append([])
                    stack.append(.dict(objects.dicts.count - 1))
                }
                guard case .dict(let dict) = stack.last else {
                    throw failure("SETITEM on something that is not a dict")
                }
                for i in stride(from: 0, to: items.count, by: 2) {
                    objects.dicts[dict].append((items[i], items[i + 1]))
                }
            case 0x71, 0x72: memo[try littleEndian(opcode == 0x71 ? 1 : 4)] = stack.last  // BINPUT, LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last  // MEMOIZE
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = try littleEndian(opcode == 0x68 ? 1 : 4)
                guard let value = memo[index] else { throw failure("memo \(index) was never stored") }
                stack.append(value)
            case 0x63:  // GLOBAL module\nname\n
                let module = try line()
                stack.append(try global(module, try line()))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw failure("STACK_GLOBAL needs two strings")
                }
                stack.append(try global(module, name))
            case 0x51:  // BINPERSID: ('storage', storage type, key, location, count[, view])
                let storage = try storageReference(try pop())
                storages[storage.key] = storage
                stack.append(.storage(storage))
            case 0x52, 0x81:  // REDUCE, NEWOBJ
                let arguments = try pop()
                stack.append(try call(try pop(), arguments))
            case 0x62:  // BUILD: state set on an object; state dicts only BUILD their _metadata, which is not needed
                _ = try pop()
            default:
                throw failure("unsupported opcode 0x\(String(opcode, radix: 16)) (not one a PyTorch file uses)")
            }
        }
    }

    func global(_ module: String, _ name: String) throws -> PickleValue {
        let known =
            (module == "collections" && name == "OrderedDict")
            || (module == "torch._utils" && Self.rebuilders.contains(name))
            || (module == "torch" && Self.storageTypes[name] != nil)
        guard known else {
            throw failure(
                """
                refusing global \(module).\(name): weights never need it, and loading it could run code \
                (torch.load(weights_only=False) would). A file written by torch.save(model) pickles the model's \
                classes: save model.state_dict() instead
                """)
        }
        return .global(module, name)
    }

    func storageReference(_ id: PickleValue) throws -> StorageReference {
        guard let parts = objects.elements(of: id), parts.count >= 5, case .string("storage") = parts[0],
            case .global(_, let typeName) = parts[1], let dtype = Self.storageTypes[typeName],
            case .string(let key) = parts[2], case .int(let count) = parts[4]
        else { throw failure("unexpected persistent id (not a torch storage)") }
        var reference = StorageReference(key: key, dtype: dtype, count: count)
        // (view key, offset, count): a window into `key`, in files from before PyTorch 0.4.
        if parts.count > 5, let view = objects.elements(of: parts[5]) {
            guard view.count == 3, case .int(let offset) = view[1], case .int(let viewCount) = view[2] else {
                throw failure("storage \(key): a view description that is not (key, offset, count)")
            }
            (reference.viewOffset, reference.viewCount) = (offset, viewCount)
        }
        return reference
    }

    mutating func call(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = callable, case .tuple(let index) = arguments else {
            throw failure("REDUCE of something that is not a known global")
        }
        let args = objects.sequences[index]
        switch (module, name) {
        case ("collections", "OrderedDict"):
            objects.dicts.append([])
            return .dict(objects.dicts.count - 1)
        case ("torch._utils", "_rebuild_parameter"):
            guard let data = args.first else { throw failure("_rebuild_parameter without data") }
            return data
        case ("torch._utils", "_rebuild_tensor"), ("torch._utils", "_rebuild_tensor_v2"):
            guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1],
                let size = objects.elements(of: args[2]), let stride = objects.elements(of: args[3])
            else { throw failure("\(name) with unexpected arguments") }
            func ints(_ values: [PickleValue]) throws -> [Int] {
                try values.map { v in
                    guard case .int(let i) = v else { throw failure("\(name): a size or stride is not an integer") }
                    return i
                }
            }
            return .tensor(
                TensorReference(storage: storage, offset: offset, shape: try ints(size), strides: try ints(stride)))
        default:
            throw failure("refusing to call \(module).\(name)")
        }
    }
}
