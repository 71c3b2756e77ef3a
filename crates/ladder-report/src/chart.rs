//! Figures as data — a grid of panels, each with line and point series — rendered to PNG and
//! SVG with plotters. Text uses the DejaVu Sans font shipped in the `dejavu` crate, so nothing
//! depends on the fonts of the machine.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::ReportError;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A polyline through the points in order.
    Line,
    /// A filled circle per point.
    Points,
    /// A large cross per point (targets, predictions).
    Cross,
    /// Consecutive pairs of points joined as separate segments (error bars, intervals).
    Segments,
}

/// One series of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry (`None`: not in the legend).
    pub label: Option<String>,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// How to draw it.
    pub mark: Mark,
    /// Colour index into a fixed palette (same index, same colour).
    pub color: usize,
}

/// One chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Panel {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// The series.
    pub series: Vec<Series>,
}

/// A grid of panels with a title.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    /// Title above the grid.
    pub title: String,
    /// Panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    /// Draw one legend for all panels in an extra cell instead of one inside each panel (for
    /// many series).
    pub shared_legend: bool,
}

const PANEL_WIDTH: u32 = 420;
const PANEL_HEIGHT: u32 = 340;
const TITLE_HEIGHT: u32 = 40;
const FONT: &str = "sans-serif";

/// Colours that stay apart on white (Okabe–Ito, greys, then darker extras).
const PALETTE: [RGBColor; 14] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
    RGBColor(170, 170, 170),
    RGBColor(153, 0, 0),
    RGBColor(0, 80, 40),
    RGBColor(90, 60, 160),
    RGBColor(140, 90, 30),
];

/// The palette colour of an index.
pub fn color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

fn register_fonts() {
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        // The bytes are a valid TrueType font shipped by the dejavu crate.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

impl Figure {
    /// Size in pixels of the whole figure.
    pub fn size(&self) -> (u32, u32) {
        let columns = self.columns.max(1) as u32;
        let rows = (self.cells() as u32).div_ceil(columns).max(1);
        (columns * PANEL_WIDTH, rows * PANEL_HEIGHT + TITLE_HEIGHT)
    }

    /// Writes `<stem>.png` and `<stem>.svg` whole (each drawn under a temporary name in the
    /// same folder, then renamed); returns both paths.
    pub fn render(&self, stem: &Path) -> Result<[PathBuf; 2], ReportError> {
        register_fonts();
        if let Some(dir) = stem.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ReportError::Draw { path: dir.to_path_buf(), message: e.to_string() })?;
        }
        let (png, svg) = (stem.with_extension("png"), stem.with_extension("svg"));
        let size = self.size();
        let fail = |path: &Path, message: String| ReportError::Draw { path: path.to_path_buf(), message };
        // The backends pick the format by extension, so the temporary name keeps it.
        let aside = |path: &Path, ext: &str| path.with_extension(format!("{}.tmp.{ext}", std::process::id()));
        let (png_tmp, svg_tmp) = (aside(&png, "png"), aside(&svg, "svg"));
        {
            let root = BitMapBackend::new(&png_tmp, size).into_drawing_area();
            self.draw(&root).and_then(|_| root.present().map_err(|e| e.to_string())).map_err(|e| fail(&png, e))?;
        }
        {
            let root = SVGBackend::new(&svg_tmp, size).into_drawing_area();
            self.draw(&root).and_then(|_| root.present().map_err(|e| e.to_string())).map_err(|e| fail(&svg, e))?;
        }
        for (tmp, path) in [(&png_tmp, &png), (&svg_tmp, &svg)] {
            std::fs::rename(tmp, path).map_err(|e| fail(path, e.to_string()))?;
        }
        Ok([png, svg])
    }

    /// Grid cells used: the panels, plus one for a shared legend.
    fn cells(&self) -> usize {
        self.panels.len() + usize::from(self.shared_legend)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (title_area, body) = root.split_vertically(TITLE_HEIGHT);
        title_area.titled(&self.title, (FONT, 22).into_font().style(FontStyle::Bold)).map_err(|e| e.to_string())?;
        let columns = self.columns.max(1);
        let rows = self.cells().div_ceil(columns).max(1);
        let areas = body.split_evenly((rows, columns));
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel(panel, area, !self.shared_legend)?;
        }
        if self.shared_legend {
            if let Some(area) = areas.get(self.panels.len()) {
                self.draw_shared_legend(area)?;
            }
        }
        Ok(())
    }

    /// Every labelled series once, as a list of colour swatches and names.
    fn draw_shared_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let mut entries: Vec<(&str, usize)> = Vec::new();
        for s in self.panels.iter().flat_map(|p| &p.series) {
            if let Some(label) = &s.label {
                if !entries.iter().any(|(l, _)| *l == label) {
                    entries.push((label, s.color));
                }
            }
        }
        let style = TextStyle::from((FONT, 13).into_font()).color(&BLACK);
        for (i, (label, c)) in entries.iter().enumerate() {
            let y = 30 + 20 * i as i32;
            area.draw(&Rectangle::new([(30, y - 5), (48, y + 5)], color(*c).filled())).map_err(|e| e.to_string())?;
            area.draw(&Text::new(label.to_string(), (56, y - 7), style.clone())).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// Padded range of finite values (a unit range around a single value).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.06 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - pad, hi + pad)
}

fn draw_panel<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>, own_legend: bool) -> Result<(), String> {
    let tx = |x: f64| if panel.log_x { x.log10() } else { x };
    let points = || panel.series.iter().flat_map(|s| s.points.iter().copied()).filter(|(x, y)| tx(*x).is_finite() && y.is_finite());
    let (x0, x1) = range(points().map(|(x, _)| tx(x)));
    let (y0, y1) = range(points().map(|(_, y)| y));
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FONT, 15))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let log = panel.log_x;
    let x_format = move |v: &f64| if log { format!("{:.0e}", 10f64.powf(*v)) } else { format!("{v:.2}") };
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .x_labels(5)
        .y_labels(6)
        .x_label_formatter(&x_format)
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    let mut legend = false;
    for s in &panel.series {
        let c = color(s.color);
        let pts: Vec<(f64, f64)> = s.points.iter().map(|&(x, y)| (tx(x), y)).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
        let drawn = match s.mark {
            Mark::Line => chart.draw_series(LineSeries::new(pts, c.stroke_width(2))).map_err(|e| e.to_string())?,
            Mark::Points => {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.mix(0.7).filled()))).map_err(|e| e.to_string())?
            }
            Mark::Cross => chart.draw_series(pts.into_iter().map(|p| Cross::new(p, 7, c.stroke_width(3)))).map_err(|e| e.to_string())?,
            Mark::Segments => chart
                .draw_series(pts.chunks_exact(2).map(|pair| PathElement::new(vec![pair[0], pair[1]], c.mix(0.6).stroke_width(2))))
                .map_err(|e| e.to_string())?,
        };
        if let Some(label) = s.label.as_ref().filter(|_| own_legend) {
            legend = true;
            drawn.label(label.as_str()).legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], c.filled()));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 11))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_png_and_svg_with_text() {
        let figure = Figure {
            title: "test figure".into(),
            columns: 2,
            shared_legend: false,
            panels: (0..3)
                .map(|i| Panel {
                    title: format!("panel {i}"),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    log_x: i == 1,
                    series: vec![
                        Series {
                            label: Some("line".into()),
                            points: (1..20).map(|x| (x as f64, (x as f64).ln())).collect(),
                            mark: Mark::Line,
                            color: 0,
                        },
                        Series { label: None, points: vec![(3.0, 1.0), (5.0, 2.0)], mark: Mark::Points, color: 1 },
                        Series { label: Some("target".into()), points: vec![(10.0, 2.5)], mark: Mark::Cross, color: 2 },
                        Series { label: None, points: vec![(10.0, 2.0), (10.0, 3.0)], mark: Mark::Segments, color: 2 },
                    ],
                })
                .collect(),
        };
        let dir = std::env::temp_dir().join(format!("ladder-report-{}", std::process::id()));
        let [png, svg] = figure.render(&dir.join("fig")).unwrap();
        let png_bytes = std::fs::read(&png).unwrap();
        assert_eq!(&png_bytes[1..4], b"PNG");
        let svg_text = std::fs::read_to_string(&svg).unwrap();
        assert!(svg_text.contains("panel 2") && svg_text.contains("test figure"));
        assert_eq!(figure.size(), (2 * PANEL_WIDTH, 2 * PANEL_HEIGHT + TITLE_HEIGHT));
        let shared = Figure { shared_legend: true, panels: figure.panels[..2].to_vec(), ..figure };
        let [_, svg] = shared.render(&dir.join("shared")).unwrap();
        assert!(std::fs::read_to_string(svg).unwrap().contains("target"));
        assert_eq!(shared.size(), (2 * PANEL_WIDTH, 2 * PANEL_HEIGHT + TITLE_HEIGHT));
    }
}
