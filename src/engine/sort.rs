//! Sorting the large sets (records, facts) by a byte key: every key is computed once into one
//! buffer, an index is sorted rather than the items, and the items are then moved into place
//! once. At 100,000 endpoints, comparing names label by label and moving the large items
//! during the sort dominated the run.

use std::cmp::Ordering;

/// Sorts `items` by the bytes `push_key` appends for each, then by `tie` among equal keys.
/// Unstable: items equal under both keep no particular order.
pub(super) fn by_byte_key<T>(
    items: &mut [T],
    push_key: impl Fn(&T, &mut Vec<u8>),
    tie: impl Fn(&T, &T) -> Ordering,
) {
    // Two passes: the first only measures, so that the buffer is allocated once at its exact
    // size. Growing it by doubling left it up to twice the keys' size, and at 470,000 records
    // the copy of the last doubling was the run's peak.
    let mut scratch = Vec::new();
    let mut total = 0usize;
    for item in items.iter() {
        scratch.clear();
        push_key(item, &mut scratch);
        total += scratch.len();
    }
    drop(scratch);
    let mut key_bytes: Vec<u8> = Vec::with_capacity(total);
    // Per item: where its key ends in `key_bytes` (it starts where the previous one ends).
    let mut ends: Vec<usize> = Vec::with_capacity(items.len());
    for item in items.iter() {
        push_key(item, &mut key_bytes);
        ends.push(key_bytes.len());
    }
    let key = |index: usize| {
        let start = index.checked_sub(1).map_or(0, |previous| ends[previous]);
        &key_bytes[start..ends[index]]
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)).then_with(|| tie(&items[a], &items[b])));
    drop(ends);
    drop(key_bytes);
    permute(items, order);
}

/// Reorders `items` in place so that position `i` holds what was at `order[i]` (`order` is a
/// permutation), following each cycle once: no second vector of the items is needed.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = order[at];
            order[at] = DONE;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        for order in [
            vec![],
            vec![0],
            vec![2, 0, 1],
            vec![1, 0, 3, 2],
            vec![4, 3, 2, 1, 0],
            vec![0, 2, 4, 1, 3],
        ] {
            let items: Vec<usize> = (10..10 + order.len()).collect();
            let expected: Vec<usize> = order.iter().map(|&i| items[i]).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, order.clone());
            assert_eq!(permuted, expected, "{order:?}");
        }
    }

    #[test]
    fn the_key_decides_and_the_tie_breaks_equal_keys() {
        let mut items = vec![(b"b".to_vec(), 2), (b"a".to_vec(), 9), (b"b".to_vec(), 1)];
        by_byte_key(
            &mut items,
            |item, key| key.extend_from_slice(&item.0),
            |a, b| a.1.cmp(&b.1),
        );
        assert_eq!(
            items,
            vec![(b"a".to_vec(), 9), (b"b".to_vec(), 1), (b"b".to_vec(), 2)]
        );
    }

    #[test]
    fn a_key_that_is_a_prefix_of_another_sorts_first() {
        let mut items = vec![b"ab".to_vec(), b"a".to_vec(), b"".to_vec()];
        by_byte_key(
            &mut items,
            |item, key| key.extend_from_slice(item),
            |_, _| Ordering::Equal,
        );
        assert_eq!(items, vec![b"".to_vec(), b"a".to_vec(), b"ab".to_vec()]);
    }
}
