// The daily API request allocation: counted per call, reported in Sforce-Limit-Info and /limits,
// and refused with 403 REQUEST_LIMIT_EXCEEDED once spent (a rolling day, here the UTC day).

export class ApiLimits {
  max: number;
  #used = 0;
  #day: number;
  readonly #now: () => number;

  constructor(max: number, now: () => number) {
    this.max = max;
    this.#now = now;
    this.#day = Math.floor(now() / 86_400_000);
  }

  get used(): number {
    this.#roll();
    return this.#used;
  }

  /** Counts one call; false when the allocation is already spent. */
  take(): boolean {
    this.#roll();
    if (this.#used >= this.max) return false;
    this.#used++;
    return true;
  }

  header(): string {
    return `api-usage=${this.used}/${this.max}`;
  }

  reset(): void {
    this.#used = 0;
  }

  set usedCount(n: number) {
    this.#used = n;
  }

  #roll(): void {
    const day = Math.floor(this.#now() / 86_400_000);
    if (day !== this.#day) {
      this.#day = day;
      this.#used = 0;
    }
  }

  /** The body of GET /limits. */
  report(): Record<string, { Max: number; Remaining: number }> {
    const used = this.used;
    const fixed = (max: number): { Max: number; Remaining: number } => ({
      Max: max,
      Remaining: max,
    });
    return {
      ActiveScratchOrgs: fixed(3),
      AnalyticsExternalDataSizeMB: fixed(40960),
      ConcurrentAsyncGetReportInstances: fixed(200),
      ConcurrentEinsteinDataInsightsStoryCreation: fixed(5),
      ConcurrentEinsteinDiscoveryStoryCreation: fixed(2),
      ConcurrentSyncReportRuns: fixed(20),
      DailyAnalyticsDataflowJobExecutions: fixed(60),
      DailyAnalyticsUploadedFilesSizeMB: fixed(51200),
      DailyApiRequests: { Max: this.max, Remaining: Math.max(0, this.max - used) },
      DailyAsyncApexExecutions: fixed(250000),
      DailyBulkApiBatches: fixed(15000),
      DailyBulkV2QueryFileStorageMB: fixed(976562),
      DailyBulkV2QueryJobs: fixed(10000),
      DailyDeliveredPlatformEvents: fixed(50000),
      DailyDurableGenericStreamingApiEvents: fixed(10000),
      DailyDurableStreamingApiEvents: fixed(10000),
      DailyEinsteinDataInsightsStoryCreation: fixed(1000),
      DailyEinsteinDiscoveryPredictAPICalls: fixed(50000),
      DailyEinsteinDiscoveryPredictionsByCDC: fixed(500000),
      DailyEinsteinDiscoveryStoryCreation: fixed(100),
      DailyGenericStreamingApiEvents: fixed(10000),
      DailyScratchOrgs: fixed(6),
      DailyStandardVolumePlatformEvents: fixed(10000),
      DailyStreamingApiEvents: fixed(10000),
      DailyWorkflowEmails: fixed(2000),
      DataStorageMB: fixed(5),
      DurableStreamingApiConcurrentClients: fixed(20),
      FileStorageMB: fixed(20),
      HourlyAsyncReportRuns: fixed(1200),
      HourlyDashboardRefreshes: fixed(200),
      HourlyDashboardResults: fixed(5000),
      HourlyDashboardStatuses: fixed(999999999),
      HourlyLongTermIdMapping: fixed(100000),
      HourlyManagedContentPublicRequests: fixed(50000),
      HourlyODataCallout: fixed(10000),
      HourlyPublishedPlatformEvents: fixed(50000),
      HourlyPublishedStandardVolumePlatformEvents: fixed(1000),
      HourlyShortTermIdMapping: fixed(100000),
      HourlySyncReportRuns: fixed(500),
      HourlyTimeBasedWorkflow: fixed(50),
      MassEmail: fixed(10),
      MonthlyPlatformEventsUsageEntitlement: fixed(0),
      Package2VersionCreates: fixed(6),
      Package2VersionCreatesWithoutValidation: fixed(500),
      PermissionSets: fixed(1500),
      PrivateConnectOutboundCalloutHourlyLimitMB: fixed(0),
      SingleEmail: fixed(15),
      StreamingApiConcurrentClients: fixed(20),
    };
  }
}
