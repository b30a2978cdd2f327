//! Bounds on the work one page (or one personalised script) may do, so a template with nested
//! loops (`{% for i in range(end=100000) %}{% for j in range(end=100000) %}`) stops with an error
//! naming its file instead of running until it is killed.
//!
//! Tera has no hook inside its loops, so the budget is charged where the work shows: every
//! element `range` makes, every value written, every write to the page. Each render runs on
//! one thread from start to end (rayon runs whole pages), so the budget is thread-local and
//! costs a counter increment; the clock is read once every [`CLOCK_EVERY`] steps.

use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, Instant};

use tera::{Kwargs, State, TeraResult};

/// Elements `range` may make for one page in all, across every call: far beyond any real
/// page, far below what makes a build hang.
pub(crate) const MAX_RANGE_STEPS: u64 = 10_000_000;
/// Elements one `range` call may make.
pub(crate) const MAX_RANGE_LEN: i64 = 100_000;
/// Wall-clock time one page may take, unless `HUNDRED_PAGE_TIME_LIMIT` (seconds) says otherwise.
const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);
const CLOCK_EVERY: u64 = 4096;

/// Why a render was stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Exceeded {
    RangeSteps,
    Time(Duration),
}

impl Exceeded {
    /// The message for the page, in plain words.
    pub(crate) fn message(self) -> String {
        match self {
            Exceeded::RangeSteps => format!(
                "this page's `range` loops made more than {} elements, so it was stopped",
                group(MAX_RANGE_STEPS)
            ),
            Exceeded::Time(limit) => format!(
                "this page took more than {} s to render, so it was stopped",
                limit.as_secs_f64()
            ),
        }
    }

    pub(crate) fn help() -> &'static str {
        "look for loops inside loops (a `range` within a `range`, or a loop over a long list \
         inside another): they multiply the work for every page"
    }
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Clone, Copy)]
struct Budget {
    deadline: Instant,
    limit: Duration,
    steps: u64,
    range_steps: u64,
    exceeded: Option<Exceeded>,
}

thread_local! {
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

fn time_limit() -> Duration {
    static LIMIT: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("HUNDRED_PAGE_TIME_LIMIT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map_or(DEFAULT_TIME_LIMIT, Duration::from_secs_f64)
    })
}

/// Starts a page's budget on this thread; it ends when the guard is dropped, and whatever
/// budget was running before (should rayon ever run one page inside another's wait) resumes.
pub(crate) fn begin() -> Guard {
    let limit = time_limit();
    let previous = BUDGET.with(|b| {
        b.replace(Some(Budget {
            deadline: Instant::now() + limit,
            limit,
            steps: 0,
            range_steps: 0,
            exceeded: None,
        }))
    });
    Guard { previous }
}

pub(crate) struct Guard {
    previous: Option<Budget>,
}

impl Guard {
    /// Whether the page ran out of budget (its render then failed).
    pub(crate) fn exceeded(&self) -> Option<Exceeded> {
        BUDGET.with(|b| b.get().and_then(|b| b.exceeded))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        BUDGET.with(|b| b.set(self.previous));
    }
}

/// Charges `steps` of general work and `range_steps` range elements; outside a page, free.
fn charge(steps: u64, range_steps: u64) -> Result<(), Exceeded> {
    BUDGET.with(|cell| {
        let Some(mut b) = cell.get() else {
            return Ok(());
        };
        if let Some(e) = b.exceeded {
            return Err(e);
        }
        let before = b.steps;
        b.steps += steps;
        b.range_steps += range_steps;
        if b.range_steps > MAX_RANGE_STEPS {
            b.exceeded = Some(Exceeded::RangeSteps);
        } else if (before / CLOCK_EVERY != b.steps / CLOCK_EVERY || range_steps > 0)
            && Instant::now() > b.deadline
        {
            b.exceeded = Some(Exceeded::Time(b.limit));
        }
        cell.set(Some(b));
        b.exceeded.map_or(Ok(()), Err)
    })
}

fn io_error(e: Exceeded) -> std::io::Error {
    std::io::Error::other(e.message())
}

/// One step of work, for escape functions: an error stops the render.
pub(crate) fn tick() -> std::io::Result<()> {
    charge(1, 0).map_err(io_error)
}

/// A writer that charges one step per write, so a loop that writes stops at the deadline.
pub(crate) struct Metered<W>(pub W);

impl<W: Write> Write for Metered<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        tick()?;
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        tick()?;
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Tera's `range(end=…, start=0, step_by=1)`, with its elements charged to the page.
pub(crate) fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i64>> {
    let start = kwargs.get::<i64>("start")?.unwrap_or(0);
    let end = kwargs.must_get::<i64>("end")?;
    let step = kwargs.get::<i64>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message("`range` was given a `step_by` of 0"));
    }
    if start > end && step > 0 {
        return Err(tera::Error::message(
            "`range` was given a `start` greater than its `end`",
        ));
    }
    let span = if step > 0 {
        end.saturating_sub(start)
    } else {
        start.saturating_sub(end)
    };
    let len = if span <= 0 {
        0
    } else {
        (span - 1) / step.saturating_abs() + 1
    };
    if len > MAX_RANGE_LEN {
        return Err(tera::Error::message(format!(
            "`range` would make {} elements; one call may make at most {}",
            group(len as u64),
            group(MAX_RANGE_LEN as u64)
        )));
    }
    if let Err(e) = charge(0, len as u64) {
        return Err(tera::Error::message(e.message()));
    }
    Ok((0..len).map(|i| start + i * step).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_budget_is_per_page() {
        let _page = begin();
        assert_eq!(charge(0, MAX_RANGE_STEPS), Ok(()));
        assert_eq!(charge(0, 1), Err(Exceeded::RangeSteps));
        drop(_page);
        assert_eq!(charge(0, MAX_RANGE_STEPS * 2), Ok(()), "no page, no budget");
        let page = begin();
        assert_eq!(charge(0, 5), Ok(()));
        assert_eq!(page.exceeded(), None);
        // A page inside another leaves the outer one's count as it was.
        let inner = begin();
        assert_eq!(charge(0, MAX_RANGE_STEPS), Ok(()));
        drop(inner);
        assert_eq!(charge(0, MAX_RANGE_STEPS - 5), Ok(()));
        assert_eq!(charge(0, 1), Err(Exceeded::RangeSteps));
        assert_eq!(page.exceeded(), Some(Exceeded::RangeSteps));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(group(10_000_000), "10,000,000");
        assert_eq!(group(100), "100");
    }
}
