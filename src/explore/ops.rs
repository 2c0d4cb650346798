//! The client's workload: `create k a; update k b; read k`, one operation
//! after another, each invoked only once the one before has been decided.

use std::fmt;

use crate::protocol::op::OpKind;

/// One client request of the workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOp {
    /// Which operation.
    pub op: OpKind,
    /// The key.
    pub key: String,
    /// The value written (create, update).
    pub value: Option<String>,
}

impl fmt::Display for ClientOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op.word(), self.key)?;
        if let Some(value) = &self.value {
            write!(f, " {value}")?;
        }
        Ok(())
    }
}

/// Why a workload text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpsError {
    /// No operation at all.
    Empty,
    /// Operation `index` (from 1), written `text`, does not read: `why`.
    Bad {
        /// Its place in the list, from 1.
        index: usize,
        /// How it was written.
        text: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

impl fmt::Display for OpsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpsError::Empty => f.write_str(
                "--ops holds no operation (expected e.g. \"create k a; update k b; read k\")",
            ),
            OpsError::Bad { index, text, why } => {
                write!(f, "--ops operation {index} `{text}`: {why}")
            }
        }
    }
}

impl std::error::Error for OpsError {}

/// Reads a workload: operations separated by `;`, each `create KEY VALUE`,
/// `update KEY VALUE`, `read KEY` or `delete KEY`, its words separated by
/// white space. Empty entries (`a; ; b`, a trailing `;`) are skipped.
pub fn parse_ops(text: &str) -> Result<Vec<ClientOp>, OpsError> {
    let mut ops = Vec::new();
    for (at, entry) in text.split(';').map(str::trim).enumerate() {
        if entry.is_empty() {
            continue;
        }
        let bad = |why| OpsError::Bad {
            index: at + 1,
            text: entry.to_owned(),
            why,
        };
        let words: Vec<&str> = entry.split_whitespace().collect();
        let op = OpKind::ALL
            .into_iter()
            .find(|op| op.word() == words[0])
            .ok_or_else(|| bad("the operation is not create, update, read or delete"))?;
        let writes = matches!(op, OpKind::Create | OpKind::Update);
        let value = match (writes, &words[1..]) {
            (true, [_, value]) => Some((*value).to_owned()),
            (false, [_]) => None,
            (true, _) => return Err(bad("expected `create KEY VALUE` or `update KEY VALUE`")),
            (false, _) => return Err(bad("expected `read KEY` or `delete KEY`")),
        };
        ops.push(ClientOp {
            op,
            key: words[1].to_owned(),
            value,
        });
    }
    if ops.is_empty() {
        return Err(OpsError::Empty);
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workload_reads_and_prints_back() {
        let ops = parse_ops("create k a; update k b;read k ; delete k;").unwrap();
        let text: Vec<String> = ops.iter().map(ClientOp::to_string).collect();
        assert_eq!(text, ["create k a", "update k b", "read k", "delete k"]);
    }

    #[test]
    fn a_bad_workload_is_refused_saying_where() {
        assert_eq!(parse_ops(" ; "), Err(OpsError::Empty));
        let err = parse_ops("create k a; frob k").unwrap_err();
        assert_eq!(
            err.to_string(),
            "--ops operation 2 `frob k`: the operation is not create, update, read or delete"
        );
        assert!(parse_ops("create k")
            .unwrap_err()
            .to_string()
            .contains("KEY VALUE"));
        assert!(parse_ops("read k v")
            .unwrap_err()
            .to_string()
            .contains("read KEY"));
    }
}
