//! The workbench's strings.

pub struct TuiText {
    pub app_title: &'static str,
    pub too_small: &'static str,
}

pub static ZH: TuiText = TuiText {
    app_title: "党支部工作联系点",
    too_small: "窗口太小：至少需要 60×16",
};

pub static EN: TuiText = TuiText {
    app_title: "Party-branch contact points",
    too_small: "Window too small: 60x16 needed",
};
