import Primitives
import Testing

/// The default number of event loops: the cores the process may use, not the machine's.
@Suite struct CPUBudgetTests {
    @Test func affinityAndTheCgroupQuotaRoundedUp() {
        #expect(CPUBudget.cores(affinity: 2, cpuMax: nil) == 2)
        #expect(CPUBudget.cores(affinity: 8, cpuMax: "max 100000\n") == 8, "no quota")
        #expect(CPUBudget.cores(affinity: 8, cpuMax: "150000 100000\n") == 2, "1.5 CPUs of quota: two loops")
        #expect(CPUBudget.cores(affinity: 8, cpuMax: "200000 100000\n") == 2)
        #expect(CPUBudget.cores(affinity: 8, cpuMax: "50000 100000\n") == 1)
        #expect(CPUBudget.cores(affinity: 1, cpuMax: "400000 100000\n") == 1, "pinned to one core")
        #expect(CPUBudget.cores(affinity: nil, cpuMax: nil) == 1)
        #expect(CPUBudget.cores(affinity: 4, cpuMax: "garbage") == 4)
        #expect(CPUBudget.usableCores >= 1)
    }
}
