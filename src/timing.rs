//! Stage timings for profiling builds: set `HUNDRED_TIMINGS=1` to print how long each stage
//! took to standard error.

use std::time::{Duration, Instant};

pub struct Stopwatch {
    enabled: bool,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Stopwatch {
            enabled: std::env::var_os("HUNDRED_TIMINGS").is_some(),
            last: Instant::now(),
            laps: Vec::new(),
        }
    }
}

impl Stopwatch {
    /// Records the time since the previous lap under `stage`.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }

    pub fn report(&self) {
        if self.enabled {
            let parts: Vec<String> = self
                .laps
                .iter()
                .map(|(s, d)| format!("{s} {:.1} ms", d.as_secs_f64() * 1000.0))
                .collect();
            eprintln!("timings: {}", parts.join(", "));
        }
    }
}
