//! Two independent computations on the machine's two cores, with the result of running them one
//! after the other.

/// Runs `left` and `right`, on two threads when `worth_a_thread` (a thread costs tens of
/// microseconds: a small input runs both on this one), and returns both results. Either way the
/// results are the same: the two share nothing they could write.
pub(super) fn join<L, R>(
    worth_a_thread: bool,
    left: impl FnOnce() -> L,
    right: impl FnOnce() -> R + Send,
) -> (L, R)
where
    R: Send,
{
    if !worth_a_thread {
        let left = left();
        return (left, right());
    }
    std::thread::scope(|scope| {
        let right = scope.spawn(right);
        let left = left();
        // A panic on the other thread is a bug of ours: it goes on as the panic it was.
        let right = right
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (left, right)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_results_come_back_in_place_on_either_path() {
        for worth_a_thread in [false, true] {
            let words = ["a", "b"];
            let (left, right) = join(
                worth_a_thread,
                || words[0].repeat(2),
                || std::thread::current().id(),
            );
            assert_eq!(left, "aa");
            assert_eq!(
                right == std::thread::current().id(),
                !worth_a_thread,
                "the right half runs on its own thread exactly when asked"
            );
        }
    }
}
