//! Traditional → simplified Chinese for the characters common in song titles and artist names.
//! A small table, not a converter: enough for 周杰倫 to equal 周杰伦 and 愛情 to equal 爱情,
//! which is what matching one source's metadata against another's needs.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Pairs of (traditional, simplified), written one after the other.
const PAIRS: &[&str] = &[
    "愛爱戀恋風风夢梦們们說说個个時时後后會会來来這这見见聽听給给記记憶忆靜静淚泪傷伤離离開开無无從从為为對对還还裡里裏里與与",
    "長长東东樂乐歲岁書书華华國国間间門门問问聲声號号讓让紅红綠绿藍蓝顏颜雲云雙双飛飞鳥鸟魚鱼龍龙馬马車车燈灯親亲歡欢頭头願愿",
    "葉叶溫温話话語语經经過过邊边遠远運运動动聞闻點点實实戰战請请誰谁當当麼么嗎吗沒没樣样應应該该著着倫伦傑杰陳陈張张劉刘楊杨",
    "黃黄趙赵吳吴孫孙鄧邓蕭萧謝谢羅罗鄭郑許许蘇苏盧卢蔣蒋韓韩馮冯鍾钟譚谭陸陆顧顾龔龚萬万錢钱鐵铁銀银鏡镜鐘钟錯错關关陽阳陰阴",
    "隨随險险難难電电靈灵韻韵響响順顺須须領领飄飘餘余館馆驚惊體体髮发鬥斗鬧闹鳳凤鴻鸿麗丽齊齐龜龟並并亂乱亞亚係系俠侠倆俩偉伟",
    "傳传僅仅優优兒儿兩两別别劍剑勝胜區区單单卻却參参變变嘆叹團团圍围圖图圓圆聖圣場场壞坏夠够奪夺媽妈學学寧宁寶宝將将專专尋寻",
    "層层島岛師师帶带幫帮廣广強强彈弹復复憂忧懷怀戲戏擁拥擇择斷断於于曉晓朧胧機机權权歸归殘残氣气漢汉濃浓灣湾燒烧爭争獨独現现",
    "環环畫画發发盡尽眾众禮礼種种穩稳窮穷筆笔節节約约純纯紙纸級级紛纷細细終终結结絕绝絲丝網网緣缘練练總总線线繞绕續续聯联聰聪",
    "腦脑臉脸舊旧藝艺蘭兰處处補补裝装覺觉觀观計计詞词試试詩诗認认誤误課课調调談谈論论謎谜證证識识護护讀读豐丰貓猫負负貝贝財财",
    "貴贵買买費费賣卖質质贏赢趕赶跡迹蹤踪轉转輕轻輪轮辦办農农迴回週周進进遊游達达遙遥適适選选遺遗鄉乡醫医釋释針针鋼钢錄录鍵键",
    "閃闪閉闭陣阵際际隊队隱隐雜杂雞鸡霧雾韋韦頂顶項项預预題题額额颱台飯饭飲饮養养驗验鬆松鹽盐麵面壯壮慣惯嶼屿滄沧橋桥獅狮燦灿",
    "爛烂紀纪綻绽嬌娇瀟潇灑洒淺浅漸渐潔洁濕湿滿满漁渔灘滩瀾澜鳴鸣鴿鸽鶴鹤鵝鹅麥麦齡龄惡恶悶闷憐怜懶懒鬱郁歎叹殺杀溝沟滅灭漲涨",
    "纏缠蓮莲薩萨藥药蘋苹蟬蝉衛卫衝冲視视覽览訊讯設设評评詠咏誕诞諾诺謊谎謠谣譜谱賀贺賞赏贊赞軟软較较載载輝辉辭辞鄰邻醜丑鈴铃",
    "鎖锁閒闲闊阔隻只雖虽頌颂頓顿顆颗顛颠飾饰騎骑騰腾驕骄鮮鲜鯨鲸鷹鹰鹹咸壽寿慶庆態态燭烛煙烟塵尘綺绮貞贞",
];

fn table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let chars: Vec<char> = PAIRS.iter().flat_map(|s| s.chars()).collect();
        chars.chunks_exact(2).map(|p| (p[0], p[1])).collect()
    })
}

/// The simplified form of `c`, or `c` itself when the table does not know it.
#[must_use]
pub fn simplify(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    table().get(&c).copied().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_pairs_with_no_repeated_or_chained_keys() {
        let chars: Vec<char> = PAIRS.iter().flat_map(|s| s.chars()).collect();
        assert_eq!(chars.len() % 2, 0, "an odd character out");
        assert_eq!(
            table().len(),
            chars.len() / 2,
            "a traditional character twice"
        );
        for (&from, &to) in table() {
            assert_ne!(from, to);
            assert!(!table().contains_key(&to), "{from}→{to}→… chains");
        }
    }

    #[test]
    fn maps_common_characters_and_leaves_others() {
        let fold = |s: &str| s.chars().map(simplify).collect::<String>();
        assert_eq!(fold("周杰倫"), "周杰伦");
        assert_eq!(fold("後來的我們"), "后来的我们");
        assert_eq!(fold("晴天"), "晴天");
        assert_eq!(fold("Abc"), "Abc");
    }
}
