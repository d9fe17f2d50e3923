//! Sorting the large sets (records, facts) by a byte key: every key is computed once into one
//! buffer, an index is sorted rather than the items, and the items are then moved into place
//! once. At 100,000 endpoints, comparing names label by label and moving the large items
//! during the sort dominated the run.

use std::cmp::Ordering;

/// Sorts `items` by the bytes `push_key` appends for each, then by `tie` among equal keys.
/// Unstable: items equal under both keep no particular order.
///
/// A large set is keyed and sorted in two halves on two threads, and the halves are merged:
/// keying and sorting the 700,000 records of a 10,000-Service cluster was a tenth of the run on
/// one core while the other was idle. The result is the same order as one sort's: the merge
/// compares as the sort does.
pub(super) fn by_byte_key<T: Sync>(
    items: &mut [T],
    key: ByteKey<impl Fn(&T, &mut Vec<u8>) + Sync, impl Fn(&T) -> usize + Sync>,
    tie: impl Fn(&T, &T) -> Ordering + Sync,
) {
    let order = if items.len() < PARALLEL_FROM {
        Keyed::sorted(items, 0, &key, &tie).order
    } else {
        let shared: &[T] = items;
        let (left, right) = shared.split_at(shared.len() / 2);
        let (left, right) = super::join::join(
            true,
            || Keyed::sorted(left, 0, &key, &tie),
            || Keyed::sorted(right, left.len(), &key, &tie),
        );
        merge(shared, &left, &right, &tie)
    };
    permute(items, order);
}

/// How an item's sort key is written, and its length without writing it: the keys' buffer is
/// allocated once at its exact size. Growing it by doubling left it up to twice the keys' size
/// (at 470,000 records the copy of the last doubling was the run's peak), and writing every key
/// twice, once to measure it, was a tenth of the engine's instructions.
pub(super) struct ByteKey<P, L> {
    /// Appends the item's key.
    pub(super) push: P,
    /// The number of bytes `push` appends for the item; a wrong length costs memory (the
    /// buffer regrows), never the order.
    pub(super) len: L,
}

/// Below this many items one thread sorts: a thread costs more than it saves.
const PARALLEL_FROM: usize = 50_000;

/// The keys of a run of items, all in one buffer, and the run's positions sorted by them.
struct Keyed {
    /// Every item's key, one after another.
    bytes: Vec<u8>,
    /// Per item of the run: where its key ends in `bytes` (it starts where the previous ends).
    ends: Vec<usize>,
    /// Positions in the whole slice (the run's own plus `offset`), in sorted order.
    order: Vec<usize>,
    /// Where the run starts in the whole slice.
    offset: usize,
}

impl Keyed {
    /// Keys `run` (which starts at `offset` of the whole slice) and sorts its positions.
    fn sorted<T>(
        run: &[T],
        offset: usize,
        key: &ByteKey<impl Fn(&T, &mut Vec<u8>), impl Fn(&T) -> usize>,
        tie: &impl Fn(&T, &T) -> Ordering,
    ) -> Keyed {
        let total: usize = run.iter().map(&key.len).sum();
        let mut keyed = Keyed {
            bytes: Vec::with_capacity(total),
            ends: Vec::with_capacity(run.len()),
            order: Vec::new(),
            offset,
        };
        for item in run {
            (key.push)(item, &mut keyed.bytes);
            keyed.ends.push(keyed.bytes.len());
        }
        debug_assert_eq!(keyed.bytes.len(), total, "a key's length was misjudged");
        // Each position sorted with its key's slice beside it: a comparison is then one memcmp,
        // not two look-ups of where the keys start and end.
        let mut pairs: Vec<(&[u8], usize)> = (offset..offset + run.len())
            .map(|position| (keyed.key(position), position))
            .collect();
        pairs.sort_unstable_by(|(a_key, a), (b_key, b)| {
            a_key
                .cmp(b_key)
                .then_with(|| tie(&run[a - offset], &run[b - offset]))
        });
        let order = pairs.into_iter().map(|(_, position)| position).collect();
        keyed.order = order;
        keyed
    }

    /// The key of the item at `position` of the whole slice (one of this run's).
    fn key(&self, position: usize) -> &[u8] {
        let index = position - self.offset;
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous]);
        &self.bytes[start..self.ends[index]]
    }
}

/// The positions of two sorted runs of `items`, merged in the order the sort uses.
fn merge<T>(
    items: &[T],
    left: &Keyed,
    right: &Keyed,
    tie: &impl Fn(&T, &T) -> Ordering,
) -> Vec<usize> {
    let mut order = Vec::with_capacity(left.order.len() + right.order.len());
    let (mut l, mut r) = (0, 0);
    while let (Some(&a), Some(&b)) = (left.order.get(l), right.order.get(r)) {
        let right_first = left
            .key(a)
            .cmp(right.key(b))
            .then_with(|| tie(&items[a], &items[b]))
            == Ordering::Greater;
        if right_first {
            order.push(b);
            r += 1;
        } else {
            order.push(a);
            l += 1;
        }
    }
    order.extend_from_slice(&left.order[l..]);
    order.extend_from_slice(&right.order[r..]);
    order
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
            ByteKey {
                push: |item: &(Vec<u8>, u32), key: &mut Vec<u8>| key.extend_from_slice(&item.0),
                len: |item: &(Vec<u8>, u32)| item.0.len(),
            },
            |a, b| a.1.cmp(&b.1),
        );
        assert_eq!(
            items,
            vec![(b"a".to_vec(), 9), (b"b".to_vec(), 1), (b"b".to_vec(), 2)]
        );
    }

    #[test]
    fn two_halves_merged_give_the_order_of_one_sort() {
        // Above PARALLEL_FROM: keyed and sorted on two threads. Keys repeat (ties decided by
        // the second field) and one is a prefix of others.
        let items: Vec<(Vec<u8>, u32)> = (0..PARALLEL_FROM as u32 * 2 + 7)
            .map(|i| {
                let n = i.wrapping_mul(2_654_435_761) % 1_000;
                let key = if n % 7 == 0 {
                    b"k".to_vec()
                } else {
                    format!("k{n}").into_bytes()
                };
                (key, i % 13)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut sorted = items;
        by_byte_key(
            &mut sorted,
            ByteKey {
                push: |item: &(Vec<u8>, u32), key: &mut Vec<u8>| key.extend_from_slice(&item.0),
                len: |item: &(Vec<u8>, u32)| item.0.len(),
            },
            |a, b| a.1.cmp(&b.1),
        );
        assert_eq!(sorted, expected);
    }

    #[test]
    fn a_key_that_is_a_prefix_of_another_sorts_first() {
        let mut items = vec![b"ab".to_vec(), b"a".to_vec(), b"".to_vec()];
        by_byte_key(
            &mut items,
            ByteKey {
                push: |item: &Vec<u8>, key: &mut Vec<u8>| key.extend_from_slice(item),
                len: |item: &Vec<u8>| item.len(),
            },
            |_, _| Ordering::Equal,
        );
        assert_eq!(items, vec![b"".to_vec(), b"a".to_vec(), b"ab".to_vec()]);
    }
}
