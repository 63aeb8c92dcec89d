import Foundation
import Primitives
import Testing

@Suite struct ExpiringCacheTests {
    @Test func answersUntilTheyExpire() {
        let cache = ExpiringCache<String, Int>(ttl: 0.05, capacity: 10)
        cache.set(1, for: "a")
        #expect(cache.value(for: "a") == 1)
        #expect(cache.value(for: "b") == nil)
        Thread.sleep(forTimeInterval: 0.08)
        #expect(cache.value(for: "a") == nil)
    }

    @Test func aFloodOfKeysKeepsItAtCapacityDroppingTheOldest() {
        let cache = ExpiringCache<Int, Int>(ttl: 60, capacity: 100)
        for key in 0..<10_000 { cache.set(key, for: key) }
        #expect(cache.count == 100)
        #expect(cache.value(for: 9_999) == 9_999)
        #expect(cache.value(for: 9_900) == 9_900)
        #expect(cache.value(for: 9_899) == nil)
    }

    @Test func oneKeySetAgainAndAgainStaysOneEntry() {
        let cache = ExpiringCache<String, Int>(ttl: 60, capacity: 4)
        for value in 0..<10_000 { cache.set(value, for: "same") }
        cache.set(1, for: "x")
        cache.set(2, for: "y")
        cache.set(3, for: "z")
        #expect(cache.count == 4)
        #expect(cache.value(for: "same") == 9_999)
    }
}
