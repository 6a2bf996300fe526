//! Finding a leader or a branch from what a person typed: an id, the exact
//! name, or an unambiguous part of it.

use super::error::{DomainError, DomainResult, RecordKind};
use super::records::{Branch, Leader};

/// Something that can be looked up by id or name.
pub trait Named {
    fn id(&self) -> u64;
    /// Names it answers to, the first being the one shown.
    fn names(&self) -> Vec<&str>;
}

impl Named for Leader {
    fn id(&self) -> u64 {
        self.id
    }
    fn names(&self) -> Vec<&str> {
        vec![&self.name]
    }
}

impl Named for Branch {
    fn id(&self) -> u64 {
        self.id
    }
    fn names(&self) -> Vec<&str> {
        vec![&self.name, &self.short]
    }
}

/// Resolves `input` among `items`: an id (digits), a name exactly one item
/// answers to, or a part of exactly one name. Several matches are an error
/// that lists them.
pub fn find<'a, T: Named>(items: &'a [T], input: &str, kind: RecordKind) -> DomainResult<&'a T> {
    let s = input.trim();
    let unknown = || DomainError::Unknown {
        kind,
        input: s.to_string(),
    };
    if s.is_empty() {
        return Err(unknown());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let id: u64 = s.parse().map_err(|_| unknown())?;
        if let Some(item) = items.iter().find(|i| i.id() == id) {
            return Ok(item);
        }
    }
    // An exact name wins over parts of others, but only when one item
    // answers to it: databases written before `add_branch` checked short
    // names may hold two branches with the same one, and neither may be
    // picked in the other's place unseen.
    let exact: Vec<&T> = items.iter().filter(|i| i.names().contains(&s)).collect();
    let partial: Vec<&T> = if exact.is_empty() {
        items
            .iter()
            .filter(|i| i.names().iter().any(|n| n.contains(s)))
            .collect()
    } else {
        exact
    };
    match partial.as_slice() {
        [] => Err(unknown()),
        [one] => Ok(one),
        many => Err(DomainError::Ambiguous {
            kind,
            input: s.to_string(),
            matches: many.iter().map(|i| format!("{} ({})", i.names()[0], i.id())).collect(),
        }),
    }
}

/// The items [`find`] could answer `input` with: the one with its id and
/// every one a name of which holds it, in their order. `find` over these
/// gives what it gives over all the items (tested), so a server can send
/// the few a command line needs instead of all of them.
pub fn candidates<T: Named + Clone>(items: &[T], input: &str) -> Vec<T> {
    let s = input.trim();
    if s.is_empty() {
        return Vec::new();
    }
    let id = s
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse::<u64>().ok())
        .flatten();
    items
        .iter()
        .filter(|i| Some(i.id()) == id || i.names().iter().any(|n| n.contains(s)))
        .cloned()
        .collect()
}

pub fn leader<'a>(leaders: &'a [Leader], input: &str) -> DomainResult<&'a Leader> {
    find(leaders, input, RecordKind::Leader)
}

pub fn branch<'a>(branches: &'a [Branch], input: &str) -> DomainResult<&'a Branch> {
    find(branches, input, RecordKind::Branch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::Role;
    use chrono::NaiveDate;

    fn l(id: u64, name: &str) -> Leader {
        Leader {
            id,
            name: name.into(),
            title: "副局长".into(),
            role: Role::Member,
            own_branch: None,
            in_post_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            in_post_to: None,
        }
    }

    #[test]
    fn by_id_exact_and_part() {
        let ls = [l(1, "瑞林"), l(2, "俊华"), l(3, "海友"), l(4, "王海")];
        assert_eq!(leader(&ls, "2").unwrap().name, "俊华");
        assert_eq!(leader(&ls, "俊华").unwrap().id, 2);
        assert_eq!(leader(&ls, "瑞").unwrap().id, 1);
        assert_eq!(leader(&ls, " 海友 ").unwrap().id, 3);
    }

    #[test]
    fn ambiguous_lists_the_matches() {
        let ls = [l(3, "海友"), l(4, "王海")];
        match leader(&ls, "海") {
            Err(DomainError::Ambiguous { matches, .. }) => {
                assert_eq!(matches, vec!["海友 (3)".to_string(), "王海 (4)".to_string()])
            }
            other => panic!("{other:?}"),
        }
    }

    /// A short name two branches share (older databases allowed it) picks
    /// neither: the refusal lists both by full name, which stays unique; a
    /// short name that is the branch's own full name counts once.
    #[test]
    fn a_name_two_branches_answer_to_is_ambiguous() {
        let b = |id: u64, name: &str, short: &str| Branch {
            id,
            name: name.into(),
            short: short.into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        };
        let bs = [
            b(1, "体科所第一支部", "体科所支部"),
            b(2, "体科所第二支部", "体科所支部"),
            b(3, "冰上支部", "冰上支部"),
        ];
        match branch(&bs, "体科所支部") {
            Err(DomainError::Ambiguous { matches, .. }) => {
                assert_eq!(
                    matches,
                    vec!["体科所第一支部 (1)".to_string(), "体科所第二支部 (2)".to_string()]
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(branch(&bs, "体科所第二支部").unwrap().id, 2);
        assert_eq!(branch(&bs, "冰上支部").unwrap().id, 3);
    }

    #[test]
    fn unknown_and_empty() {
        let ls = [l(1, "瑞林")];
        assert!(matches!(leader(&ls, "无名"), Err(DomainError::Unknown { .. })));
        assert!(matches!(leader(&ls, "  "), Err(DomainError::Unknown { .. })));
        assert!(matches!(
            leader(&ls, "99999999999999999999999"),
            Err(DomainError::Unknown { .. })
        ));
    }

    proptest::proptest! {
        /// Looking up among the candidates answers what looking up among
        /// all answers, errors included (names drawn from few characters,
        /// so that ids, exact names, parts and ambiguity all occur).
        #[test]
        fn candidates_answer_as_all_do(
            names in proptest::collection::vec("[张王李0-2]{1,3}", 1..12),
            input in "[ 张王李0-2]{0,4}",
        ) {
            let leaders: Vec<Leader> = names
                .iter()
                .enumerate()
                .map(|(i, n)| Leader {
                    id: i as u64 + 1,
                    name: n.clone(),
                    title: String::new(),
                    role: Role::Member,
                    own_branch: None,
                    in_post_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                    in_post_to: None,
                })
                .collect();
            let few = candidates(&leaders, &input);
            proptest::prop_assert_eq!(leader(&few, &input), leader(&leaders, &input));
        }
    }
}
