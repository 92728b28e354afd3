//! Adaptive quiet windows: how long "nothing more arrived" must last to mean
//! nothing more will, scaled to the latency measured from this target.

use std::time::Duration;

/// The shortest quiet window, even against a target that answers in microseconds.
pub const MIN_QUIET: Duration = Duration::from_millis(10);
/// The longest quiet window.
pub const MAX_QUIET: Duration = Duration::from_secs(1);
/// The quiet window before any latency was measured.
pub const UNMEASURED_QUIET: Duration = Duration::from_millis(150);

/// The worst request-to-reply latency seen so far.
#[derive(Debug, Clone, Default)]
pub struct Latency {
    worst: Option<Duration>,
}

impl Latency {
    /// Records one measured request-to-reply time.
    pub fn observe(&mut self, rtt: Duration) {
        self.worst = Some(self.worst.map_or(rtt, |w| w.max(rtt)));
    }

    /// The worst latency seen, if any.
    pub fn worst(&self) -> Option<Duration> {
        self.worst
    }

    /// How long to wait for more after the expected replies arrived: ten times the
    /// worst latency, within [`MIN_QUIET`]..=[`MAX_QUIET`].
    pub fn quiet_window(&self) -> Duration {
        match self.worst {
            None => UNMEASURED_QUIET,
            Some(w) => (w * 10).clamp(MIN_QUIET, MAX_QUIET),
        }
    }

    /// How long to wait for a reply that is due, after an earlier one arrived:
    /// generous (a slow target is not a wrong one), forty times the worst latency
    /// within 200 ms..=2 s.
    pub fn patience(&self) -> Duration {
        match self.worst {
            None => Duration::from_secs(2),
            Some(w) => (w * 40).clamp(Duration::from_millis(200), Duration::from_secs(2)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_scale_with_the_worst_latency_within_bounds() {
        let mut l = Latency::default();
        assert_eq!(l.quiet_window(), UNMEASURED_QUIET);
        l.observe(Duration::from_micros(100));
        assert_eq!(l.quiet_window(), MIN_QUIET);
        l.observe(Duration::from_millis(10));
        l.observe(Duration::from_millis(1));
        assert_eq!(l.worst(), Some(Duration::from_millis(10)));
        assert_eq!(l.quiet_window(), Duration::from_millis(100));
        assert_eq!(l.patience(), Duration::from_millis(400));
        l.observe(Duration::from_secs(5));
        assert_eq!(l.quiet_window(), MAX_QUIET);
    }
}
