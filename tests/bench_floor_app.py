"""The floor of the stack for tests/bench_pages.py --floor: a bare Streamlit app whose pages hold nothing, one small
Plotly chart or seven, drawn as the dashboard draws them (no theme, no template). What a browser needs to show
them is what no change to the dashboard can take away."""

import plotly.graph_objects as go
import streamlit as st


def _charts(count: int) -> None:
    st.title(f"{count} graphique" + ("s" if count > 1 else ""))
    for index in range(count):
        figure = go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2]))
        figure.update_layout(height=300, template=None, datarevision=1, margin={"l": 40, "r": 10, "t": 10, "b": 40})
        st.plotly_chart(figure, key=f"graphique-{index}", theme=None)


def _nothing() -> None:
    st.title("Aucun graphique")


st.navigation([
    st.Page(_nothing, title="Aucun graphique", default=True),
    st.Page(lambda: _charts(1), title="1 graphique", url_path="un-graphique"),
    st.Page(lambda: _charts(7), title="7 graphiques", url_path="sept-graphiques"),
]).run()
