"""The interactive console as an applicant uses it: in-process with a scripted terminal and a
fake clock (the whole walk to step 8 with every kind of detour), and once as a real process
fed through a pipe."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine import Run
from commands.console import load, texts_for
from renderers.console.interactive import Console, Terminal

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"

STEP7 = ["Abc12345#", "Abc12345#", "wangxiaoyan@163.com", "学士", "大学本科", "全日制", "师范类", "北京师范大学",
         "汉语言文学", "2007-07-01", "群众", "北京市海淀区", "公办", "北京市海淀区实验小学", "2007-09-01",
         "2010-09-01", "专任教师", "二级甲等", "一级教师", "北京市", "北京市海淀区", "北京市海淀区中关村大街1号",
         "10008", "010-12345678", "13912345678"]


class Script:
    """Typed lines in, everything shown out; sleeping moves the fake clock."""

    def __init__(self, lines: list[str], start: datetime):
        self.lines, self.now, self.shown, self.prompts = list(lines), start, [], []

    def read(self, prompt: str) -> str:
        self.shown.append(prompt)
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def terminal(self) -> Terminal:
        return Terminal(read=self.read, secret=self.read, write=self.shown.append, sleep=self.sleep, cells=100)

    @property
    def text(self) -> str:
        return "\n".join(self.shown)


def play(lines: list[str]) -> tuple[int, Script, Run]:
    flow, source = load(FLOW)
    script = Script(lines, datetime(2026, 11, 29, 9, 0))
    run = Run(flow, source, lambda: script.now)
    code = Console(run, texts_for(flow), script.terminal()).play()
    return code, script, run


def test_console__whole_walk_with_detours__reaches_step_8():
    code, script, run = play([
        "",                                   # step 1, after the countdown
        "2", "",                              # step 2: 不接受 → refused
        "1", "",                              # 接受
        "2007111082200120", "110108198504120144", "",   # step 3: 16 digits → warning
        "1", "20071110822001207", "",         # 确定: fix the number
        "小学", "语文", "杭州", "hz_xihu", "",  # step 4: 语文 among 小学's subjects only, then an agency without a plan
        "", "", "北京", "海淀", "",            # keep, keep, pick by a unique part of the name
        "", "",                               # step 5: nothing chosen → refused
        ":back", "", "", "", "", "",          # back to step 4 and on again, keeping everything
        "1", "",                              # step 5: the first point
        "",                                   # step 6
        *STEP7, "",                           # step 7 with a bad postcode
        "100080", "",                         # only the postcode is asked again
    ])
    assert code == 0
    assert run.complete and run.application()["postcode"] == "100080"
    text = script.text
    for shown in ("请阅读以上内容，3秒后可以进入下一步……", "请选择“接受”网上申报协议后再进入下一步。",
                  "您输入的证书号码“2007111082200120”不规范", "请重新填写教师资格证书号码。",
                  "已选择：小学语文", "所选注册机构未开展注册工作", "电子照片：[照片]", "姓名：王晓燕",
                  "请选择一个现场确认点后再进入下一步。", "海淀区教师进修学校确认点", "已选择：北京市海淀区教育委员会",
                  "申报第八步　完成（8/8）", "电子邮箱：wangxiaoyan@163.com", "申请状态：信息提交成功，等待现场确认"):
        assert shown in text, shown
    assert [(d.key, d.choice) for d in run.decisions] == [("cert_no:cert_no_standard", "fix")]
    assert any("请按回车键“提交”" in p for p in script.prompts)
    assert any("*现任教学段 [小学]" in p for p in script.prompts)  # the kept answer is offered
    assert beside(script, "邮政编码应为6位数字。", "*邮政编码 [10008]")


def test_console__agencies__those_of_the_city_typed_above_that_register_the_stage():
    """The agency list follows 城市 and 现任教学段; when the agency is refused, both are asked again too."""
    code, script, run = play(["", "1", "", "20071110822001207", "110108198504120144", "",
                              "高级中学", "物理", "杭州", "", "",        # 杭州市's county bureau: no 高级中学
                              "", "上海", "浦东", "", ":quit"])         # stage kept, another city
    first, second = script.text.split("提交未成功", 1)
    hangzhou = first.split("已选择：杭州市", 1)[1]
    assert "杭州市西湖区教育局" not in hangzhou and "1. " not in hangzhou   # nothing to offer, and it says so
    assert "此处没有可选的选项" in hangzhou
    asked_again = [p for p in script.prompts if "*" in p][-3:]
    assert [p.split("（")[0].split(" [")[0].strip() for p in asked_again] == ["*现任教学段", "*任教学校所在城市", "*注册机构"]
    assert "1. 上海市浦东新区教育局" in second and "北京市海淀区教育委员会" not in second
    assert run.view().id == "point" and run.application()["agency"] == "sh_pudong"


def beside(script: Script, message: str, prompt: str) -> bool:
    """The problem is shown on the line just above the field's prompt."""
    return any(message in line and prompt in script.shown[i + 1] for i, line in enumerate(script.shown[:-1]))


def test_console__warning_cancelled__continues_to_step_4():
    code, script, run = play(["", "1", "", "200037010088", "370102197410011110", "", "2", ":quit"])
    assert code == 0
    assert run.view().id == "agency"
    assert [(d.key, d.choice) for d in run.decisions] == [("cert_no:cert_no_standard", "continue")]
    assert "姓名：唐国庆" in script.text
    assert "已退出。尚未提交的内容不会保存。" in script.text


def test_console__problems__shown_next_to_the_field_and_only_it_asked_again():
    code, script, run = play(["", "1", "", "20071110822001207", "110108198504120145", "", "110108198504120144",
                              "", ":quit"])
    assert run.view().id == "agency"
    assert "提交未成功，请修改以下内容：" in script.text
    assert beside(script, "✗ 身份证件号码校验位不正确，请核对后重新输入。", "*身份证件号码 [110108198504120145]")
    asked = [p for p in script.prompts if "教师资格证书号码" in p]
    assert len(asked) == 1  # the certificate number was not asked again


def test_console__back_on_the_first_step__says_so():
    code, script, _ = play([":back", ":help", ":q"])
    assert "已经是第一步，不能再返回。" in script.text
    assert script.text.count(":back 返回上一步") == 2  # the welcome and :help


def test_console__input_closed__quits_quietly():
    code, script, _ = play([])
    assert code == 0 and "已退出" in script.text


def test_console__not_found__asks_the_certificate_fields_with_defaults_from_the_id():
    code, script, run = play(["", "1", "", "20151110622990011", "110105199003071239", "",
                              "赵明", "", "汉", "汉族", "3", "无", "北京市东城区教育委员会", "2015-07-01",
                              "初级中学", "初中数学", "北京", "海淀", "", ":quit"])
    assert run.view().id == "point"
    answers = run.application()
    assert answers["gender"] == "male" and answers["cert_subject"] == "none" and answers["ethnic_group"] == "01"
    assert "电子照片：认定时未保存电子照片" in script.text
    assert any("*性别 [男]" in p for p in script.prompts)


def test_console__real_process_through_a_pipe__shows_chinese_prompts():
    typed = "\n".join(["", "1", "", "20071110822001207", "110108198504120144", "", ":quit"]) + "\n"
    result = subprocess.run([sys.executable, "-m", "commands.cli", "console", "--now", "2026-11-29 09:00"],
                            input=typed, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for shown in ("申报第一步　申报人必读（1/8）", "请阅读以上内容，1秒后可以进入下一步……", "请按回车键“下一步”",
                  "网上申报协议（请输入编号，也可输入文字查找）", "*教师资格证书号码", "申报第四步　选择注册机构",
                  "电子照片：[照片]", "*现任教学段", "已退出。"):
        assert shown in out, shown


def test_console__bad_now__exits_2():
    result = subprocess.run([sys.executable, "-m", "commands.cli", "console", "--now", "tomorrow"], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 2 and "--now" in result.stderr


# -- issue 9, item 13: the console's rough edges ------------------------------------------
class Interrupting(Script):
    """Ctrl-C while the countdown sleeps."""

    def sleep(self, seconds: float) -> None:
        raise KeyboardInterrupt


def test_console__ctrl_c_during_countdown__no_traceback_exit_130():
    flow, source = load(FLOW)
    script = Interrupting([], datetime(2026, 11, 29, 9, 0))
    code = Console(Run(flow, source, lambda: script.now), texts_for(flow), script.terminal()).play()
    assert code == 130
    assert "已退出" in script.text and "Traceback" not in script.text


def test_console__text_typed_where_only_enter_is_asked__refused_and_said_so():
    code, script, run = play(["", "1", "下一步", "", ":quit"])
    assert run.view().id == "identity"
    assert "此处只需按回车键，您输入的“下一步”没有被采用" in script.text
    assert [(d.key, d.choice) for d in run.decisions] == []


def test_console__warning_answer_neither_1_nor_2__says_why_and_asks_again():
    code, script, run = play(["", "1", "", "200037010088", "370102197410011110", "", "好的", "2", ":quit"])
    assert "“好的”不是可选的回答，请输入 1（确定）或 2（取消）。" in script.text
    assert run.view().id == "agency"


def test_console__weak_password__its_confirmation_is_asked_again_too():
    walk = ["", "1", "", "20071110822001207", "110108198504120144", "", "小学", "小学语文", "北京", "海淀", "", "1",
            "", ""]
    step7 = ["abc", "abc", *STEP7[2:], ""]
    code, script, run = play([*walk, *step7, "Abc12345#", "Abc12345#", "100080", "", ":quit"])
    assert run.complete, script.text[-2000:]
    asked = [p for p in script.prompts if "确认密码" in p]
    assert len(asked) == 2


def test_console__date_field__format_shown_before_the_first_error():
    code, script, run = play(["", "1", "", "20151110622990011", "110105199003071239", "",
                              "赵明", "", "汉", "汉族", "3", "无", "北京市东城区教育委员会", ":quit"])
    hint = "（日期格式：2015-09-01，也可以输入 2015/9/1、2015年9月1日 或 20150901）"
    flow, _ = load(FLOW)
    label = texts_for(flow).label("cert_issue_date")
    index = next(i for i, line in enumerate(script.shown) if f"*{label}" in line)
    assert hint in script.shown[index - 1]              # the first time it is asked, before any error


def test_console__long_value__cut_in_the_echo():
    long_school = "北京市海淀区" + "实验" * 40 + "小学"
    from renderers.console.text import cut, width
    shown = cut(long_school, 40)
    assert width(shown) <= 40 and shown.endswith("…") and long_school.startswith(shown[:-1])


def test_console__optional_checkbox__cleared_with_a_dash():
    from engine import MemorySource, load_flow
    from commands.console import load_catalog  # noqa: F401  (the real catalogue for the prompts)
    import json
    import yaml as _yaml

    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.schema.json")}
    flow_yaml = {"flow": {"id": "t", "version": "1", "title": "flow.title"},
                 "steps": [{"id": "s", "kind": "form", "title": "step.terms.title",
                            "fields": [{"id": "extras", "type": "checkbox", "label": "field.missing_materials.label",
                                        "options": [{"value": "a", "label": "option.accept"},
                                                    {"value": "b", "label": "option.decline"}]}]},
                           {"id": "done", "kind": "summary", "title": "step.done.title"}]}

    class Keys:
        def __contains__(self, key):
            return True

        def __iter__(self):
            return iter(())

    flow = load_flow(_yaml.safe_dump(flow_yaml, allow_unicode=True), "<t>", schemas, Keys())
    script = Script(["1,2", "", ":back"], datetime(2026, 11, 29, 9, 0))
    run = Run(flow, MemorySource({}), lambda: script.now)
    console = Console(run, texts_for(flow), script.terminal())
    console.drafts["s"] = {"extras": ["a", "b"]}
    script.lines = ["-", "", ":quit"]
    console.play()
    assert run.complete and run.application()["extras"] == []
    assert any("输入 - 表示都不选" in p for p in script.prompts)


class Pty:
    """The console as a real process on a pseudo-terminal (what an applicant's terminal is)."""

    def __init__(self):
        import os
        import pty
        import signal

        self.os = os
        master, slave = pty.openpty()
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm"}
        def controlling_terminal() -> None:  # so that Ctrl-C on the terminal is SIGINT, as in a shell
            import fcntl
            import termios

            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            # Ctrl-C as a terminal's shell starts a program: a runner started in the background
            # by a shell without job control hands its children SIGINT ignored (POSIX), and
            # Python keeps an ignored SIGINT ignored
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        self.proc = subprocess.Popen([sys.executable, "-m", "commands.cli", "console", "--now", "2026-11-29 09:00"],
                                     stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, close_fds=True,
                                     preexec_fn=controlling_terminal)
        os.close(slave)
        self.master, self.out = master, b""

    def read_until(self, text: str, timeout: float = 30) -> str:
        import select
        import time

        end = time.monotonic() + timeout
        while text.encode() not in self.out:
            ready, _, _ = select.select([self.master], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                raise AssertionError(f"{text!r} never shown; got:\n{self.out.decode(errors='replace')[-1500:]}")
            try:
                self.out += self.os.read(self.master, 65536)
            except OSError:
                raise AssertionError(f"{text!r} never shown; process ended:\n{self.out.decode()[-1500:]}")
        return self.out.decode(errors="replace")

    def type(self, keys: str) -> None:
        self.os.write(self.master, keys.encode())

    def close(self) -> int:
        """Wait for the end, keeping everything it still wrote."""
        try:
            code = self.proc.wait(timeout=30)
            while True:
                try:
                    chunk = self.os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.out += chunk
            return code
        finally:
            self.os.close(self.master)


def test_console_pty__enter_pressed_during_the_countdown__discarded():
    term = Pty()
    try:
        term.read_until("秒后可以进入下一步")
        term.type("\r")                              # while the button is inactive
        term.read_until("请按回车键")
        term.type("\r")                              # the one that counts
        term.read_until("网上申报协议")
        term.type(":quit\r")
        assert term.close() == 0
    except BaseException:
        term.proc.kill()
        raise
    text = term.out.decode(errors="replace")
    assert text.count("申报第二步") == 1 and "Traceback" not in text


def test_console_pty__ctrl_c_during_the_countdown__no_traceback_exit_130():
    term = Pty()
    try:
        term.read_until("秒后可以进入下一步")
        term.type("\x03")
        assert term.close() == 130
    except BaseException:
        term.proc.kill()
        raise
    text = term.out.decode(errors="replace")
    assert "Traceback" not in text and "已退出" in text
