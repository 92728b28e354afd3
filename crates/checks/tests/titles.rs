//! Every check's title is in the catalog: the English one equals the code's,
//! and a Chinese one exists.

use sockspec_report::Lang;
use sockspec_report::catalog::title_id;

#[test]
fn every_check_has_its_title_in_both_languages() {
    for check in sockspec_checks::catalog() {
        let info = check.info();
        let id = title_id(check.id);
        assert!(Lang::En.catalog().has(&id), "{id} has no English title");
        assert!(Lang::Zh.catalog().has(&id), "{id} has no Chinese title");
        assert_eq!(Lang::En.catalog().title(&info), check.title, "{id}");
        assert_ne!(
            Lang::Zh.catalog().title(&info),
            check.title,
            "{id} is not translated"
        );
    }
}
