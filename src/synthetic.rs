//! Synthetic data at provincial scale, for benchmarks (docs/PERFORMANCE.md):
//! N activities over ten years, 200 units (branches), 1,000 leaders each
//! with a contact point, problems (one per 20 activities, about half
//! solved) and bureau events, with Chinese names and notes of realistic
//! length. Deterministic: the same size and seed give the same snapshot.
//!
//! The snapshot is imported, as a restore is, so the rules commands check
//! (one open point per branch among them) do not bind it: five leaders'
//! points share each unit's branch, as the benchmarks have always had them.

use chrono::{Days, NaiveDate};

use crate::api::Snapshot;
use crate::domain::{
    Activity, ActivityKind, Branch, BureauEvent, ContactPoint, EventKind, Leader, PointState, Problem, ProblemCategory,
    ProblemState, Role, Weakness,
};

pub const UNITS: u64 = 200;
pub const LEADERS: u64 = 1_000;
/// One problem is recorded for every this many activities.
pub const ACTIVITIES_PER_PROBLEM: u64 = 20;

/// The first day of the ten years.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 1, 1).expect("valid date")
}

/// The last day with data: the benchmarks fix "today" here.
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date")
}

/// splitmix64: small, fast, and good enough to spread synthetic records.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕",
];
const GIVEN: [&str; 25] = [
    "建国", "海涛", "志强", "丽华", "秀英", "俊杰", "永庆", "红梅", "晓东", "德胜", "春燕", "立新", "国栋", "文博",
    "玉兰", "振华", "明远", "淑珍", "宏伟", "雪松", "长青", "桂芳", "少华", "云鹏", "静怡",
];
const CITIES: [&str; 10] = [
    "长春市",
    "吉林市",
    "四平市",
    "辽源市",
    "通化市",
    "白山市",
    "松原市",
    "白城市",
    "延边州",
    "长白山",
];
const ORGANS: [&str; 20] = [
    "体育局",
    "教育局",
    "卫生健康委",
    "交通运输局",
    "农业农村局",
    "水利局",
    "文化广电旅游局",
    "民政局",
    "财政局",
    "审计局",
    "统计局",
    "林业和草原局",
    "市场监督管理局",
    "生态环境局",
    "住房和城乡建设局",
    "自然资源局",
    "应急管理局",
    "商务局",
    "医疗保障局",
    "退役军人事务局",
];
const PLACES: [&str; 8] = [
    "支部活动室",
    "单位会议室",
    "党员之家",
    "业务科室",
    "训练基地",
    "基层服务站",
    "项目现场",
    "困难党员家中",
];
const FINDINGS: [&str; 12] = [
    "三会一课记录不全，主题党日活动流于形式，党员参与积极性不高",
    "支部委员缺额一名，分工不明确，支部书记抓党建精力投入不足",
    "党员发展程序材料不齐，培养考察记录缺失，需对照细则逐项补正",
    "党建与业务工作结合不紧密，支部在重点任务中作用发挥不明显",
    "党员活动场所面积小、设施旧，学习资料更新不及时",
    "巡察反馈问题整改推进较慢，部分问题整改措施不具体",
    "党费收缴台账不规范，个别党员未按时足额交纳党费",
    "青年党员理论学习浮于表面，学用结合不够",
    "组织生活会批评与自我批评辣味不足，问题查摆不深入",
    "支部工作计划落实情况较好，记录规范，可总结推广经验",
    "离退休党员管理服务不到位，联系渠道单一",
    "党务干部业务能力有待提升，对新规定新要求掌握不够",
];
const ACTIONS: [&str; 12] = [
    "要求支部制定组织生活计划表，支部书记每月检查落实情况",
    "指导支部启动增补委员程序，明确委员分工和工作职责",
    "召开党员座谈会，听取意见建议，形成问题清单和整改台账",
    "讲专题党课，围绕党建引领业务高质量发展开展交流研讨",
    "协调解决党员活动场所，统一配置学习资料和宣传展板",
    "调度整改进度，明确责任人和时间节点，限期销号",
    "督促规范党费收缴管理，建立台账，每季度公示",
    "组织青年党员开展主题党日志愿服务活动",
    "指导支部高质量召开组织生活会，开展民主评议党员",
    "总结经验做法，准备在全系统现场会上交流",
    "走访慰问困难党员和老党员，送去组织关怀",
    "安排党务干部参加集中轮训，开展业务辅导",
];
const MEASURES: [&str; 6] = [
    "制定整改方案，建立问题清单、任务清单、责任清单，按月调度",
    "支部书记牵头，联系点领导每季度督导一次，整改完成后组织验收",
    "补齐相关材料，规范工作流程，纳入年度党建考核",
    "协调经费和场地保障，明确专人负责，定期检查",
    "开展专项培训，建立长效机制，防止问题反弹",
    "对照巡察反馈意见逐条整改，整改结果在支部内公示",
];

/// A leader's name: unique for the first `SURNAMES × GIVEN` (1,000) leaders.
fn leader_name(i: u64) -> String {
    let s = SURNAMES[(i % SURNAMES.len() as u64) as usize];
    let g = GIVEN[((i / SURNAMES.len() as u64) % GIVEN.len() as u64) as usize];
    let round = i / (SURNAMES.len() * GIVEN.len()) as u64;
    if round == 0 {
        format!("{s}{g}")
    } else {
        format!("{s}{g}{round}")
    }
}

/// The whole synthetic database with `activities` activities.
pub fn snapshot(activities: u64, seed: u64) -> Snapshot {
    let mut rng = Rng(seed);
    let first = first_day();
    let span = (last_day() - first).num_days() as u64 + 1;

    let branches: Vec<Branch> = (0..UNITS)
        .map(|i| {
            let city = CITIES[(i % CITIES.len() as u64) as usize];
            let organ = ORGANS[((i / CITIES.len() as u64) % ORGANS.len() as u64) as usize];
            let parent = format!("中共{city}{organ}机关委员会");
            Branch {
                id: i + 1,
                name: format!("中共{city}{organ}机关第一党支部"),
                short: format!("{}{}支部", city.trim_end_matches(['市', '州']), organ),
                parent: Some(parent),
                category: Some("机关".into()),
                weaknesses: vec![Weakness::ALL[(i % Weakness::ALL.len() as u64) as usize]],
            }
        })
        .collect();

    let leaders: Vec<Leader> = (0..LEADERS)
        .map(|i| Leader {
            id: i + 1,
            name: leader_name(i),
            title: if i % 5 == 0 {
                "书记、局长".into()
            } else {
                "副局长".into()
            },
            role: if i % 5 == 0 { Role::Secretary } else { Role::Member },
            // A leader's own branch is the next unit's: never their point.
            own_branch: Some((i + 1) % UNITS + 1),
            in_post_from: first,
            in_post_to: None,
        })
        .collect();

    // Five leaders' points on each unit's branch.
    let points: Vec<ContactPoint> = (0..LEADERS)
        .map(|i| ContactPoint {
            id: i + 1,
            leader: i + 1,
            branch: i % UNITS + 1,
            start: first,
            cycle_start: first,
            cycle_years: 2,
            state: PointState::Active,
            history: vec![],
        })
        .collect();

    let mut activities: Vec<Activity> = (0..activities)
        .map(|n| {
            let leader = rng.below(LEADERS) + 1;
            let kind = ActivityKind::ALL[rng.below(ActivityKind::ALL.len() as u64) as usize];
            let participants = format!("支部委员、党员代表{}人", 3 + rng.below(20));
            Activity {
                id: n + 1,
                date: first + Days::new(rng.below(span)),
                leader,
                point: leader,
                kind,
                place: Some(rng.pick(&PLACES).into()),
                participants: Some(participants),
                findings: Some(rng.pick(&FINDINGS).into()),
                actions: Some(rng.pick(&ACTIONS).into()),
                note: (rng.below(4) == 0).then(|| "会后形成调研报告，报局党组".into()),
            }
        })
        .collect();
    // Visits are logged as the years go by, so ids follow the dates (the
    // store keeps neighbouring ids together: a year's list reads few blocks).
    activities.sort_by_key(|a| a.date);
    for (n, a) in activities.iter_mut().enumerate() {
        a.id = n as u64 + 1;
    }

    let problems: Vec<Problem> = (0..activities.len() as u64 / ACTIVITIES_PER_PROBLEM)
        .map(|n| {
            let leader = rng.below(LEADERS) + 1;
            let found = first + Days::new(rng.below(span));
            let solved = (rng.below(2) == 0)
                .then(|| found + Days::new(10 + rng.below(120)))
                .filter(|d| *d <= last_day());
            Problem {
                id: n + 1,
                point: leader,
                leader,
                category: ProblemCategory::ALL[rng.below(ProblemCategory::ALL.len() as u64) as usize],
                description: rng.pick(&FINDINGS).into(),
                found,
                measures: Some(rng.pick(&MEASURES).into()),
                state: if solved.is_some() {
                    ProblemState::Solved
                } else if rng.below(2) == 0 {
                    ProblemState::InProgress
                } else {
                    ProblemState::Open
                },
                solved,
                solved_by: solved.map(|_| leader),
            }
        })
        .collect();

    // The bureau's yearly work: a training, a thematic study and an analysis.
    let events: Vec<BureauEvent> = (0..10u64)
        .flat_map(|y| EventKind::ALL.iter().map(move |k| (y, *k)))
        .enumerate()
        .map(|(n, (y, kind))| BureauEvent {
            id: n as u64 + 1,
            kind,
            date: NaiveDate::from_ymd_opt(2017 + y as i32, 3 + 3 * (n as u32 % 3), 15).expect("valid date"),
            note: Some("局党组会议专题研究党支部建设工作".into()),
        })
        .collect();

    Snapshot {
        format: Snapshot::FORMAT.into(),
        version: Snapshot::VERSION,
        leaders,
        branches,
        points,
        activities,
        problems,
        events,
        targets: vec![],
        assessments: vec![],
        rubrics: vec![],
        plans: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let a = snapshot(2_000, 7);
        assert_eq!(a, snapshot(2_000, 7));
        assert_eq!(a.activities.len(), 2_000);
        assert_eq!(a.problems.len(), 100);
        assert_eq!(a.leaders.len(), 1_000);
        assert_eq!(a.branches.len(), 200);
        let names: std::collections::HashSet<_> = a.leaders.iter().map(|l| &l.name).collect();
        assert_eq!(names.len(), 1_000);
        let solved = a.problems.iter().filter(|p| p.solved.is_some()).count();
        assert!((30..70).contains(&solved), "about half solved: {solved}");
        assert!(
            a.activities
                .iter()
                .all(|x| x.date >= first_day() && x.date <= last_day())
        );
        assert!(
            a.activities
                .windows(2)
                .all(|w| w[0].date <= w[1].date && w[0].id < w[1].id)
        );
    }
}
