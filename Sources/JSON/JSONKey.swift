/// An object's key as `JSONReader.object` hands it over: the bytes in the input when it has no escapes, else a
/// decoded copy that `object` frees after the field. Plain bytes, so handing a key over costs no reference count.
/// Valid only inside the closure it is given to.
public struct JSONKey: CustomStringConvertible {
    package let bytes: UnsafeRawBufferPointer
    private let owned: Bool

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        owned = false
    }

    /// A key with escapes, decoded: rare, so a copy of its own is fine.
    init(decoded: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: decoded.count, alignment: 1)
        copy.copyBytes(from: decoded)
        bytes = UnsafeRawBufferPointer(copy)
        owned = true
    }

    func release() {
        if owned { UnsafeMutableRawBufferPointer(mutating: bytes).deallocate() }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { string }

    @inline(__always)
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard key.bytes.count == count else { return false }
        for i in 0..<count where key.bytes[i] != literal.utf8Start[i] { return false }
        return true
    }

    public static func != (key: JSONKey, literal: StaticString) -> Bool { !(key == literal) }
    @inline(__always)
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool { key == pattern }
}
