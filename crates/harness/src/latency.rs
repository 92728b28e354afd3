//! Adaptive quiet windows: how long "nothing more arrived" must last to mean
//! nothing more will, scaled to the latency measured from this target.

use std::time::Duration;

/// The shortest quiet window, even against a target that answers in microseconds.
pub const MIN_QUIET: Duration = Duration::from_millis(10);
/// The longest quiet window.
pub const MAX_QUIET: Duration = Duration::from_secs(1);
/// The quiet window before any latency was measured.
pub const UNMEASURED_QUIET: Duration = Duration::from_millis(150);

/// The idle window before any latency was measured.
pub const UNMEASURED_IDLE: Duration = Duration::from_millis(50);
/// The longest idle window.
pub const MAX_IDLE: Duration = Duration::from_millis(100);
/// The shortest idle window of an in-process target.
pub const MIN_IN_PROCESS_IDLE: Duration = Duration::from_millis(1);

/// The worst request-to-reply latency seen so far. Clones share it: what a
/// check measures also sets the windows of the endpoints it handed a clone.
#[derive(Debug, Clone, Default)]
pub struct Latency {
    worst: std::sync::Arc<std::sync::Mutex<Option<Duration>>>,
}

impl Latency {
    /// Records one measured request-to-reply time.
    pub fn observe(&mut self, rtt: Duration) {
        let mut worst = self.worst.lock().unwrap_or_else(|e| e.into_inner());
        *worst = Some(worst.map_or(rtt, |w| w.max(rtt)));
    }

    /// The worst latency seen, if any.
    pub fn worst(&self) -> Option<Duration> {
        *self.worst.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long to wait for more after the expected replies arrived: ten times the
    /// worst latency, within [`MIN_QUIET`]..=[`MAX_QUIET`].
    pub fn quiet_window(&self) -> Duration {
        match self.worst() {
            None => UNMEASURED_QUIET,
            Some(w) => (w * 10).clamp(MIN_QUIET, MAX_QUIET),
        }
    }

    /// How long a target must be seen idle (every thread waiting for input,
    /// none running) before that is taken as final (see [`crate::idle`]):
    /// what it covers is not the target's own work, which its threads show,
    /// but what is still on its way to it (a datagram crossing a veth pair, an
    /// answer from one of sockspec's helpers), which a loaded machine slows as
    /// it slows replies. [`UNMEASURED_IDLE`] before any latency was measured,
    /// then twice the worst latency within [`MIN_QUIET`]..=[`MAX_IDLE`].
    pub fn idle_window(&self) -> Duration {
        match self.worst() {
            None => UNMEASURED_IDLE,
            Some(w) => (w * 2).clamp(MIN_QUIET, MAX_IDLE),
        }
    }

    /// [`Latency::idle_window`] for an in-process target, which tells itself
    /// when it is idle: what the window covers is only what is still on its
    /// way to it, so twice the worst latency within
    /// [`MIN_IN_PROCESS_IDLE`]..=[`MAX_IDLE`], and [`MIN_QUIET`] before any
    /// is measured.
    pub fn in_process_idle_window(&self) -> Duration {
        match self.worst() {
            None => MIN_QUIET,
            Some(w) => (w * 2).clamp(MIN_IN_PROCESS_IDLE, MAX_IDLE),
        }
    }

    /// How long to wait for a reply that is due, after an earlier one arrived:
    /// generous (a slow target is not a wrong one), forty times the worst latency
    /// within 200 ms..=2 s.
    pub fn patience(&self) -> Duration {
        match self.worst() {
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
        assert_eq!(l.idle_window(), UNMEASURED_IDLE);
        assert_eq!(l.in_process_idle_window(), MIN_QUIET);
        l.observe(Duration::from_micros(100));
        assert_eq!(l.quiet_window(), MIN_QUIET);
        assert_eq!(l.in_process_idle_window(), MIN_IN_PROCESS_IDLE);
        l.observe(Duration::from_millis(10));
        l.observe(Duration::from_millis(1));
        assert_eq!(l.worst(), Some(Duration::from_millis(10)));
        assert_eq!(l.quiet_window(), Duration::from_millis(100));
        assert_eq!(l.in_process_idle_window(), Duration::from_millis(20));
        assert_eq!(l.patience(), Duration::from_millis(400));
        assert_eq!(l.idle_window(), Duration::from_millis(20));
        let shared = l.clone();
        l.observe(Duration::from_millis(30));
        assert_eq!(
            shared.idle_window(),
            Duration::from_millis(60),
            "clones share it"
        );
        l.observe(Duration::from_secs(5));
        assert_eq!(l.quiet_window(), MAX_QUIET);
        assert_eq!(l.idle_window(), MAX_IDLE);
    }
}
