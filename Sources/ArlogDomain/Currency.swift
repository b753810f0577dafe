/// ISO 4217 currencies that have a minor unit.
///
/// The feed contract accepts only active ISO 4217 codes with a minor unit; codes without one
/// (XAU, XDR, XXX, …) are rejected. A few codes withdrawn recently (ANG, BGN, SLL, ZWL, CUC, HRK)
/// are still accepted: the contract allows accepting more, and a ledger replays history in which
/// they were legal tender.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The three ASCII letters of the code in the low three bytes, first letter lowest: a
    /// value type with no String inside, cheap to copy, compare and store in hot state.
    public let packed: UInt32
    /// Digits after the decimal point in the currency's minor unit (0, 2, 3 or 4).
    public let fractionDigits: Int

    /// The three-letter code, upper case.
    public var code: String {
        let bytes: [UInt8] = [UInt8(truncatingIfNeeded: packed), UInt8(truncatingIfNeeded: packed >> 8), UInt8(truncatingIfNeeded: packed >> 16)]
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { code }

    /// Minor units in one major unit: 10^fractionDigits.
    public var minorPerMajor: Int64 { Money.powersOfTen[fractionDigits] }

    public init?(code: String) {
        guard let digits = Currency.table[code] else { return nil }
        var packed: UInt32 = 0
        for (i, b) in code.utf8.enumerated() { packed |= UInt32(b) << (8 * UInt32(i)) }
        self.packed = packed
        self.fractionDigits = digits
    }

    /// The currency of a packed code (as stored), nil when it is not one.
    public init?(packed: UInt32) {
        guard packed >> 24 == 0 else { return nil }
        let bytes: [UInt8] = [UInt8(truncatingIfNeeded: packed), UInt8(truncatingIfNeeded: packed >> 8), UInt8(truncatingIfNeeded: packed >> 16)]
        guard bytes.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
        self.init(code: String(decoding: bytes, as: UTF8.self))
    }

    /// ISO 4217 minor units. Not listed: codes with no minor unit (funds and precious metals:
    /// XAU, XAG, XPD, XPT, XDR, XBA, XBB, XBC, XBD, XSU, XUA, XTS, XXX).
    static let table: [String: Int] = {
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP \
            BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR \
            FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR \
            KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR \
            MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK \
            SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN \
            UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
            """
        var table: [String: Int] = [:]
        for (list, digits) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in list.split(separator: " ") {
                precondition(code.count == 3 && table[String(code)] == nil, "currency table: \(code)")
                table[String(code)] = digits
            }
        }
        return table
    }()
}
