import Foundation

/// The decimal number parser shared by every diffraction reader: numbers are parsed straight
/// from the file's bytes, without a `String` per token.
///
/// Correctly rounded (the same `Double` as `Double(String)` / `strtod`): up to 19 significant
/// digits are gathered in a `UInt64`; when that integer is below 2^53 and the decimal exponent
/// is within ±22 the result is one exact multiplication or division by an exactly representable
/// power of ten (Clinger's fast path), which IEEE arithmetic rounds correctly. Anything else
/// (more digits, large exponents) goes to the C library's `strtod` on a stack copy of the token.
extension PatternText {
    /// Parses the number that starts at `start` (`-1.5e3`, `+3`, `.5`, `7.`; with `decimalComma`
    /// a `,` is the decimal mark) and returns it with the offset just past it. The caller checks
    /// that the byte at that offset is a separator. Nil if no number starts there, or if an
    /// exponent mark is not followed by digits. Reads only `p[start..<end]`.
    @inline(__always)
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                           decimalComma: Bool = false) -> (value: Double, end: Int)? {
        guard start < end else { return nil }
        var i = start
        var negative = false
        let first = p[i]
        if first == 45 { negative = true; i += 1 } else if first == 43 { i += 1 }
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < end {
            let d = p[i] &- 48
            if d >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        var digits = i - integerStart
        var exp10 = 0
        if i < end, p[i] == 46 || (decimalComma && p[i] == 44) {
            i += 1
            let fractionStart = i
            while i < end {
                let d = p[i] &- 48
                if d >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            exp10 = fractionStart - i
            digits += i - fractionStart
        }
        guard digits > 0 else { return nil }
        if i < end, p[i] | 0x20 == 101 {   // e or E
            i += 1
            var expNegative = false
            if i < end, p[i] == 45 { expNegative = true; i += 1 } else if i < end, p[i] == 43 { i += 1 }
            guard i < end, p[i] &- 48 < 10 else { return nil }
            var e = 0
            while i < end {
                let d = p[i] &- 48
                if d >= 10 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            exp10 += expNegative ? -e : e
        }
        // ≤ 19 digits cannot overflow the UInt64 (10^19 − 1 < 2^64).
        if digits <= 19 {
            if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
            if mantissa <= 1 << 53, exp10 >= -22, exp10 <= 22 {
                var v = Double(mantissa)
                v = exp10 >= 0 ? v * powerOfTen(exp10) : v / powerOfTen(-exp10)
                return (negative ? -v : v, i)
            }
        }
        guard let v = strtodCopy(p, start, i, decimalComma: decimalComma), v.isFinite else { return nil }
        return (v, i)
    }

    /// `strtod` on a NUL-terminated copy of `p[start..<end]` (decimal comma turned into a point).
    @inline(never)
    private static func strtodCopy(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, decimalComma: Bool) -> Double? {
        let n = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { text -> Double? in
            guard let base = text.baseAddress else { return nil }
            for k in 0..<n {
                let c = p[start + k]
                base[k] = CChar(bitPattern: (decimalComma && c == 44) ? 46 : c)
            }
            base[n] = 0
            return strtod(base, nil)
        }
    }

    /// Parses `bytes[start..<end]` as a decimal number (the whole range; see `scanNumber`).
    /// Returns nil for anything else (including `nan`/`inf`).
    static func number(_ bytes: [UInt8], _ start: Int, _ end: Int, decimalComma: Bool = false) -> Double? {
        bytes.withUnsafeBufferPointer { number($0, start, end, decimalComma: decimalComma) }
    }

    /// Parses `buffer[start..<end]` as a decimal number (the whole range; see `scanNumber`).
    @inline(__always)
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, decimalComma: Bool = false) -> Double? {
        // Callers pass ranges inside `buffer`; check anyway so a bad range can never read outside it.
        guard let p = buffer.baseAddress, start >= 0, start < end, end <= buffer.count,
              let r = scanNumber(p, start, end, decimalComma: decimalComma), r.end == end else { return nil }
        return r.value
    }

    /// 10^e for 0 ≤ e ≤ 22, exactly representable (the switch compiles to a table lookup).
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }
}
