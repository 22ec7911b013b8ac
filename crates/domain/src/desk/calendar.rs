//! Working-day arithmetic for lead times and SLAs.
//!
//! A working day is Monday to Friday, in UTC, with no public holidays: the catalog states lead
//! times in working days and the desk's SLAs count them the same way. Holidays and per-country
//! calendars are deliberately left out until an operator needs them; when they come, they
//! replace [`is_working_day`] and nothing else changes.
//!
//! Adding `n` working days steps forward `n` days that land on a working day, keeping the time
//! of day: Friday 10:00 + 1 is Monday 10:00, Saturday 10:00 + 1 is also Monday 10:00. Adding
//! zero days returns the instant unchanged, even on a weekend. Subtracting mirrors it.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

/// Whether `at` falls on Monday to Friday (UTC).
pub fn is_working_day(at: DateTime<Utc>) -> bool {
    !matches!(at.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `from` plus `days` working days, or `None` when the result is outside chrono's range.
pub fn add_working_days(from: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    shift(from, days, 1)
}

/// `from` minus `days` working days, or `None` when the result is outside chrono's range.
pub fn sub_working_days(from: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    shift(from, days, -1)
}

/// Steps `days` working days in `direction` (+1 or -1). Whole weeks are jumped in one go so
/// that a huge lead time costs nothing; only the remainder (at most four days) is walked.
fn shift(from: DateTime<Utc>, days: u32, direction: i64) -> Option<DateTime<Utc>> {
    if days == 0 {
        return Some(from);
    }
    // Walking from a weekend day visits the same working days as walking from the working
    // day just behind it (Friday going forward, Monday going back), and from a working day a
    // jump of seven calendar days crosses exactly five working days.
    let mut at = from;
    while !is_working_day(at) {
        at = at.checked_sub_signed(Duration::days(direction))?;
    }
    let weeks = i64::from(days / 5);
    at = at.checked_add_signed(Duration::try_days(weeks * 7 * direction)?)?;
    let mut left = days % 5;
    while left > 0 {
        at = at.checked_add_signed(Duration::days(direction))?;
        if is_working_day(at) {
            left -= 1;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use rstest::rstest;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    /// The obvious day-by-day walk, to check the week-jumping version against.
    fn walk(from: DateTime<Utc>, days: u32, direction: i64) -> DateTime<Utc> {
        let mut at = from;
        let mut left = days;
        while left > 0 {
            at += Duration::days(direction);
            if is_working_day(at) {
                left -= 1;
            }
        }
        at
    }

    // 2026-11-02 is a Monday.
    #[rstest]
    #[case::monday_plus_zero(at(2026, 11, 2, 9), 0, at(2026, 11, 2, 9))]
    #[case::monday_plus_one(at(2026, 11, 2, 9), 1, at(2026, 11, 3, 9))]
    #[case::friday_plus_one_is_monday(at(2026, 11, 6, 9), 1, at(2026, 11, 9, 9))]
    #[case::saturday_plus_one_is_monday(at(2026, 11, 7, 10), 1, at(2026, 11, 9, 10))]
    #[case::sunday_plus_one_is_monday(at(2026, 11, 8, 10), 1, at(2026, 11, 9, 10))]
    #[case::saturday_plus_zero_stays(at(2026, 11, 7, 10), 0, at(2026, 11, 7, 10))]
    #[case::monday_plus_five_is_next_monday(at(2026, 11, 2, 9), 5, at(2026, 11, 9, 9))]
    #[case::thursday_plus_three(at(2026, 11, 5, 9), 3, at(2026, 11, 10, 9))]
    #[case::saturday_plus_five_is_friday(at(2026, 11, 7, 9), 5, at(2026, 11, 13, 9))]
    fn adds_working_days(
        #[case] from: DateTime<Utc>,
        #[case] days: u32,
        #[case] expected: DateTime<Utc>,
    ) {
        assert_eq!(add_working_days(from, days), Some(expected));
    }

    #[rstest]
    #[case::monday_minus_one_is_friday(at(2026, 11, 9, 9), 1, at(2026, 11, 6, 9))]
    #[case::sunday_minus_one_is_friday(at(2026, 11, 8, 9), 1, at(2026, 11, 6, 9))]
    #[case::saturday_minus_one_is_friday(at(2026, 11, 7, 9), 1, at(2026, 11, 6, 9))]
    #[case::wednesday_minus_two(at(2026, 11, 4, 9), 2, at(2026, 11, 2, 9))]
    #[case::tuesday_minus_three(at(2026, 11, 10, 9), 3, at(2026, 11, 5, 9))]
    fn subtracts_working_days(
        #[case] from: DateTime<Utc>,
        #[case] days: u32,
        #[case] expected: DateTime<Utc>,
    ) {
        assert_eq!(sub_working_days(from, days), Some(expected));
    }

    #[test]
    fn out_of_range_is_none_not_a_panic() {
        assert_eq!(add_working_days(DateTime::<Utc>::MAX_UTC, 1), None);
        assert_eq!(sub_working_days(DateTime::<Utc>::MIN_UTC, 1), None);
        assert_eq!(add_working_days(at(2026, 11, 2, 9), u32::MAX), None);
    }

    proptest! {
        #[test]
        fn matches_the_day_by_day_walk(offset in 0i64..3650, hour in 0u32..24, days in 0u32..60) {
            let from = at(2026, 1, 1, hour) + Duration::days(offset);
            prop_assert_eq!(add_working_days(from, days), Some(walk(from, days, 1)));
            prop_assert_eq!(sub_working_days(from, days), Some(walk(from, days, -1)));
        }

        #[test]
        fn lands_on_a_working_day_and_round_trips(offset in 0i64..3650, days in 1u32..400) {
            let from = at(2026, 1, 1, 9) + Duration::days(offset);
            let later = add_working_days(from, days).unwrap();
            prop_assert!(is_working_day(later));
            prop_assert!(later > from);
            if is_working_day(from) {
                prop_assert_eq!(sub_working_days(later, days), Some(from));
            }
        }
    }
}
