/// Times as the Kubernetes API writes them: `MicroTime` (`2026-11-30T22:51:11.123456Z`) for Leases and events.
public enum KubeTime {
    /// `seconds` since the Unix epoch as a UTC MicroTime.
    public static func micro(_ seconds: Double) -> String {
        let total = Int64((seconds * 1_000_000).rounded(.down))
        let micros = Int(((total % 1_000_000) + 1_000_000) % 1_000_000)
        let whole = (total - Int64(micros)) / 1_000_000
        let days = Int(whole >= 0 ? whole / 86400 : (whole - 86399) / 86400)
        let secondOfDay = Int(whole - Int64(days) * 86400)
        let (year, month, day) = civil(days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let fraction = String(micros + 1_000_000).dropFirst()
        let time = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return "\(year)-\(two(month))-\(two(day))T\(time).\(fraction)Z"
    }

    /// Year, month and day of the day `days` after 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
    /// days-from-civil inverse), so that no locale, time zone or formatter is involved.
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
