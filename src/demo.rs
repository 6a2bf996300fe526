//! The document's own contact points (五(三)) as demo data for 2020, with a
//! plausible first autumn of work: visits, problems and bureau events.
//! Loaded through the [`Backend`] like any user input; loading twice changes
//! nothing.

use chrono::NaiveDate;

use crate::api::Backend;
use crate::domain::{
    Activity, ActivityKind, Branch, BureauEvent, EventKind, Leader, Problem, ProblemCategory, ProblemState, Role,
    Weakness,
};
use crate::error::Result;

/// The flag that marks the demo data as loaded.
pub const FLAG: &str = "demo";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("demo dates are valid")
}

/// (full name, short name, parent, category, weakness)
const BRANCHES: [(&str, &str, Option<&str>, &str, Weakness); 5] = [
    (
        "中共吉林省体育彩票管理中心党支部",
        "体彩中心支部",
        None,
        "事业单位",
        Weakness::Role,
    ),
    (
        "中共吉林省体育局夏季竞技运动保障中心总支部委员会第三党支部",
        "夏季保障三支部",
        Some("中共吉林省体育局夏季竞技运动保障中心总支部委员会"),
        "事业单位",
        Weakness::Team,
    ),
    (
        "中共吉林省射击射箭运动管理中心委员会第二党支部",
        "射击射箭二支部",
        Some("中共吉林省射击射箭运动管理中心委员会"),
        "运动项目管理",
        Weakness::Premises,
    ),
    (
        "中共吉林省体育局冰上运动管理中心总支委员会速滑支部",
        "冰上速滑支部",
        Some("中共吉林省体育局冰上运动管理中心总支委员会"),
        "运动项目管理",
        Weakness::Organisation,
    ),
    (
        "中共吉林省体育科学研究所党支部",
        "体科所支部",
        None,
        "科研单位",
        Weakness::Funding,
    ),
];

/// (name, title, role, own branch short name)
const LEADERS: [(&str, &str, Role); 5] = [
    ("瑞林", "书记、局长", Role::Secretary),
    ("俊华", "副局长", Role::Member),
    ("海友", "副局长", Role::Member),
    ("永凯", "副局长", Role::Member),
    ("成亮", "副局长", Role::Member),
];

/// (leader index, kind, date, place, findings, actions)
const ACTIVITIES: [(usize, ActivityKind, &str, &str, &str, &str); 11] = [
    (
        0,
        ActivityKind::Research,
        "2020-09-10",
        "体彩中心会议室",
        "三会一课记录不全，主题党日流于形式",
        "要求支部制定组织生活计划表",
    ),
    (
        0,
        ActivityKind::Lecture,
        "2020-09-25",
        "体彩中心",
        "党员学习积极性有待提高",
        "讲专题党课《以党建引领事业高质量发展》",
    ),
    (
        0,
        ActivityKind::Research,
        "2020-11-12",
        "体彩中心",
        "组织生活计划已落实，记录规范",
        "总结经验，准备现场会材料",
    ),
    (
        1,
        ActivityKind::Research,
        "2020-09-15",
        "夏季保障中心",
        "支部委员缺额1名，党员年龄结构偏大",
        "指导支部启动增补委员程序",
    ),
    (
        1,
        ActivityKind::ThemeDay,
        "2020-10-16",
        "夏季保障中心",
        "主题党日内容单一",
        "参加主题党日，建议结合保障任务开展志愿服务",
    ),
    (
        2,
        ActivityKind::Research,
        "2020-09-22",
        "射击射箭中心",
        "缺少固定的党员活动场所",
        "协调训练馆会议室作为党员活动室",
    ),
    (
        2,
        ActivityKind::Interview,
        "2020-10-20",
        "射击射箭中心",
        "教练员党员对支部工作评价一般",
        "召开党员座谈会，听取意见建议",
    ),
    (
        3,
        ActivityKind::HomeVisit,
        "2020-09-30",
        "冰上中心",
        "老党员生活困难",
        "走访慰问困难党员2名",
    ),
    (
        3,
        ActivityKind::SpotCheck,
        "2020-10-09",
        "冰上中心",
        "党员发展程序材料不齐",
        "要求对照巡察反馈逐项整改",
    ),
    (
        4,
        ActivityKind::Research,
        "2020-10-14",
        "体科所",
        "党建经费保障不足，活动开展困难",
        "研究落实党建工作经费",
    ),
    (
        4,
        ActivityKind::Guidance,
        "2020-11-05",
        "体科所",
        "整改推进较慢",
        "调度整改进度，明确时间节点",
    ),
];

/// (leader index, category, description, found, solved, measures)
type ProblemRow = (
    usize,
    ProblemCategory,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

const PROBLEMS: [ProblemRow; 5] = [
    (
        0,
        ProblemCategory::IrregularOrgLife,
        "三会一课记录不全，主题党日流于形式",
        "2020-09-10",
        Some("2020-11-12"),
        "制定组织生活计划表，支部书记每月检查",
    ),
    (
        1,
        ProblemCategory::LeadershipGap,
        "支部委员缺额1名",
        "2020-09-15",
        None,
        "启动增补委员程序",
    ),
    (
        2,
        ProblemCategory::WeakRole,
        "支部在训练保障中作用发挥不明显",
        "2020-09-22",
        None,
        "",
    ),
    (
        3,
        ProblemCategory::Inspection,
        "巡察反馈党员发展程序不规范",
        "2020-10-09",
        Some("2020-12-02"),
        "对照发展党员工作细则逐项整改，补齐材料",
    ),
    (
        4,
        ProblemCategory::Other,
        "党建工作经费保障不足",
        "2020-10-14",
        None,
        "",
    ),
];

/// Loads the demo data unless it was loaded before. Returns whether it loaded.
pub fn load(backend: &dyn Backend) -> Result<bool> {
    if backend.flag(FLAG)? {
        return Ok(false);
    }
    let mut own = Vec::new();
    for (name, short) in [
        ("中共吉林省体育局机关第一党支部", "机关一支部"),
        ("中共吉林省体育局机关第二党支部", "机关二支部"),
    ] {
        own.push(backend.add_branch(Branch {
            id: 0,
            name: name.into(),
            short: short.into(),
            parent: Some("中共吉林省体育局直属机关委员会".into()),
            category: Some("机关".into()),
            weaknesses: vec![],
        })?);
    }
    let mut branches = Vec::new();
    for (name, short, parent, category, weakness) in BRANCHES {
        branches.push(backend.add_branch(Branch {
            id: 0,
            name: name.into(),
            short: short.into(),
            parent: parent.map(Into::into),
            category: Some(category.into()),
            weaknesses: vec![weakness],
        })?);
    }
    let mut leaders = Vec::new();
    for (i, (name, title, role)) in LEADERS.into_iter().enumerate() {
        leaders.push(backend.add_leader(Leader {
            id: 0,
            name: name.into(),
            title: title.into(),
            role,
            own_branch: Some(own[usize::from(i > 1)].id),
            in_post_from: d("2018-01-01"),
            in_post_to: None,
        })?);
    }
    for (leader, branch) in leaders.iter().zip(&branches) {
        backend.assign_point(leader.id, branch.id, d("2020-08-28"), 2)?;
    }
    for (who, kind, date, place, findings, actions) in ACTIVITIES {
        backend.add_activity(Activity {
            id: 0,
            date: d(date),
            leader: leaders[who].id,
            point: 0,
            kind,
            place: Some(place.into()),
            participants: None,
            findings: Some(findings.into()),
            actions: Some(actions.into()),
            note: None,
        })?;
    }
    for (who, category, description, found, solved, measures) in PROBLEMS {
        let p = backend.add_problem(Problem {
            id: 0,
            point: 0,
            leader: leaders[who].id,
            category,
            description: description.into(),
            found: d(found),
            measures: (!measures.is_empty()).then(|| measures.to_string()),
            state: ProblemState::Open,
            solved: None,
            solved_by: None,
        })?;
        if let Some(on) = solved {
            backend.solve_problem(p.id, d(on), None)?;
        }
    }
    for (kind, date, note) in [
        (
            EventKind::ThematicStudy,
            "2020-09-03",
            "局党组会议专题研究党支部建设工作",
        ),
        (EventKind::Training, "2020-10-28", "基层党支部书记集中轮训"),
    ] {
        backend.add_event(BureauEvent {
            id: 0,
            kind,
            date: d(date),
            note: Some(note.into()),
        })?;
    }
    backend.set_flag(FLAG)?;
    Ok(true)
}
